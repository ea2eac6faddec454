"""The signed CSRF token that pages put in their forms, signed at most once a minute per session.

Flask-WTF signs the session's raw token afresh for every request that shows a
form (an HMAC with a derived key and a timestamp): ~60 us, a tenth of a short
signed-in page. The signed token is only ever given back to the session holding
that raw token, so reusing one signed up to REUSE_SECONDS ago shows nothing new
to anyone; it expires that much sooner (after WTF_CSRF_TIME_LIMIT, 8 hours, less
at most a minute). Validation is Flask-WTF's, unchanged."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf

REUSE_SECONDS = 60.0
#: sessions remembered per process (the least recently used are forgotten)
MAX_SESSIONS = 4096

_signed: OrderedDict = OrderedDict()
_lock = threading.Lock()


def csrf_token() -> str:
    """``{{ csrf_token() }}``: the session's signed token, as ``generate_csrf`` gives it."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g:
        return g.get(field)
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    raw = session.get(field)
    now = time.monotonic()
    if isinstance(raw, str):
        with _lock:
            found = _signed.get((secret, raw))
        if found is not None and now - found[1] < REUSE_SECONDS:
            setattr(g, field, found[0])  # where generate_csrf (and so every FlaskForm) looks first
            return found[0]
    token = generate_csrf()
    with _lock:
        _signed[(secret, session[field])] = (token, now)
        _signed.move_to_end((secret, session[field]))
        while len(_signed) > MAX_SESSIONS:
            _signed.popitem(last=False)
    return token


def init_app(app) -> None:
    # a context processor, not only a global: Flask-WTF's own processor puts
    # generate_csrf in every template context, and later processors win
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
