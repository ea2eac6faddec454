"""Nothing typed is lost: one mechanism for every form of the site.

A post that cannot be accepted as it is (its CSRF token expired or is wrong,
or the session behind it has ended) is never applied, so CSRF protection stays
whole; but what was typed is never thrown away either:

- signed in (only the token was stale): the values are kept for this user (a
  ``KeptForm`` row) and the browser goes back to the page that holds the form,
  where ``restore`` writes them into that form (``core.refill``) under a
  ``role="alert"`` message. Pressing the button again, with the page's fresh
  token, saves them through the form's own view.
- signed out: the answer is a sign-in page that shows what was typed and
  carries it along in hidden inputs; signing in there keeps it for the person
  who signed in and goes back to the form as above.
- a visitor's form (sign-in, registration, password reset: ``@public``): the
  few values travel back to the form in this browser's own session cookie.

Kept values belong to one account: the row holds its user id, and the browser's
session only a random token whose digest finds the row, so another account
signed in on the same browser never gets them. Passwords, codes and tokens are
never kept nor echoed; files cannot be kept, and the message says so. At most
MAX_PER_USER posts of MAX_CHARS characters each are kept, for KEPT_FOR; a
larger post is shown back to copy instead of being stored.

Forms need no code of their own. The page to go back to is the one the post
came from (the Referer: ``Referrer-Policy: same-origin`` sends it), so a form
shown on another page than the address it posts to is found too. The application pages keep their own richer handling (repeated groups
grow to the posted number of items; ``applications.views_pages``)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import current_app, flash, g, make_response, redirect, render_template, request, session
from flask_login import current_user
from flask_login.utils import login_url
from werkzeug.exceptions import HTTPException

from ..core.db import utcnow
from ..core.redirects import safe_next
from ..core.refill import refill
from ..core.web import error_page
from ..extensions import db, login_manager
from .models import KeptForm

SESSION_KEY = "kept_forms"
VISITOR_KEY = "kept_visitor_form"
#: a visitor's post travels in the session cookie (about 4 KB in all)
VISITOR_MAX_CHARS = 2_000
KEPT_FOR = timedelta(hours=24)
MAX_CHARS = 200_000
MAX_PER_USER = 5
#: never kept, never echoed: passwords (and their repeat), one-time codes, tokens
SECRET_PARTS = ("password", "passphrase", "secret", "token", "otp", "recovery", "_signin_")
SECRET_NAMES = frozenset({"confirm", "code"})
#: the sign-in-to-keep page's own fields
CARRIED = frozenset({"_kept_page", "_kept_action", "_kept_file", "_kept_reason"})

EXPIRED = "Your session expired or the form was out of date, so this was not saved."
SIGNED_OUT = "You were signed out (your session expired), so this was not saved."


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return lowered in SECRET_NAMES or any(part in lowered for part in SECRET_PARTS)


def typed_values(form) -> list[tuple[str, str]]:
    """The posted values worth keeping, in posted order (no secrets)."""
    return [(name, value) for name, values in form.lists() if not is_secret(name) and name not in CARRIED
            for value in values]


def chosen_files() -> list[str]:
    if request.endpoint == "users.sign_in_to_keep":
        return request.form.getlist("_kept_file")
    return sorted({name for name, upload in request.files.items(multi=True) if upload.filename})


def _path_only(target: str) -> str:
    return unquote(urlsplit(target).path)


def _opens(target: str | None) -> bool:
    """Whether ``target`` is a page of this site (a GET route)."""
    if not target:
        return False
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(urlsplit(target).path, method="GET")
    except HTTPException:  # 404, 405, or a redirect to the canonical address
        return False
    return True


def page_and_action() -> tuple[str | None, str]:
    """The page that showed the form (the same-site page the post came from),
    and where the form posts; without a Referer, the posted address if it opens."""
    if request.endpoint == "users.sign_in_to_keep":  # the sign-in step's own token went stale
        return safe_next(request.form.get("_kept_page")), safe_next(request.form.get("_kept_action")) or ""
    action = request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        page = safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
        if _opens(page):
            return page, action
    return (action if _opens(action) else None), action


def fits(values, limit: int = MAX_CHARS) -> bool:
    return sum(len(name) + len(value) for name, value in values) <= limit


def _public_form() -> bool:
    """Whether the post went to a form anybody may use (the access policy's ``@public``)."""
    from ..core.policy import PUBLIC, declared_policy

    view = current_app.view_functions.get(request.endpoint or "")
    return request.endpoint != "users.sign_in_to_keep" and view is not None and declared_policy(view) == PUBLIC


def keep(user, *, page_path: str, action_path: str, values, files) -> bool:
    """Keep ``values`` for ``user`` and remember them in this browser's session;
    False (nothing kept) beyond the size bound."""
    if not fits(values):
        return False
    now = utcnow()
    db.session.execute(sa.delete(KeptForm).where(KeptForm.created_at < now - KEPT_FOR))
    older = db.session.scalars(sa.select(KeptForm.id).where(KeptForm.user_id == user.id)
                               .order_by(KeptForm.created_at.desc(), KeptForm.id.desc())
                               .offset(MAX_PER_USER - 1)).all()
    if older:
        db.session.execute(sa.delete(KeptForm).where(KeptForm.id.in_(older)))
    token = secrets.token_urlsafe(32)
    db.session.add(KeptForm(user_id=user.id, token_hash=_digest(token), page_path=page_path[:2000],
                            action_path=action_path[:2000], values=[list(pair) for pair in values],
                            file_fields=list(files), created_at=now))
    session[SESSION_KEY] = ([token] + list(session.get(SESSION_KEY) or []))[:MAX_PER_USER]
    return True


def sign_in_page(values, files, page_path, action_path, *, reason: str, error: str | None = None,
                 status: int = 400):
    """Sign in, and what was typed comes back in its form (carried, not stored)."""
    db.session.rollback()
    return render_template("users/sign_in_to_keep.html", values=values, files=files, page_path=page_path,
                           action_path=action_path, reason=reason, error=error,
                           email=request.form.get("_signin_email", "")), status


def keep_what_was_typed(reason: str = EXPIRED, *, signed_out_status: int = 400):
    """The answer to a post that cannot be accepted as it is (see the module)."""
    db.session.rollback()  # nothing this post did is kept
    g.pop("_login_user", None)  # a stale post is judged by the session it came with
    values, files = typed_values(request.form), chosen_files()
    page_path, action_path = page_and_action()
    signed_in = current_user.is_authenticated
    if page_path is None:  # no page to go back to: show the text to copy
        return error_page(400 if signed_in else signed_out_status,
                          f"{reason} Reload the page (signing in again if asked) and submit again.",
                          typed=[(name, value) for name, value in values if value.strip()])
    if not signed_in and _public_form() and fits(values, VISITOR_MAX_CHARS):
        # a form for visitors (sign-in, registration...): no account to keep it for, so
        # this browser's own session cookie carries it back to the form, once
        session[VISITOR_KEY] = {"page": page_path, "action": action_path, "values": values, "files": files}
        return redirect(page_path, code=303)
    if not signed_in:
        return sign_in_page(values, files, page_path, action_path, reason=reason, status=signed_out_status)
    if not keep(current_user, page_path=page_path, action_path=action_path, values=values, files=files):
        return error_page(400, f"{reason} What you typed is too long to keep for you: copy it from below, "
                               "reload the page and submit again.", typed=[(n, v) for n, v in values if v.strip()])
    return redirect(page_path, code=303)


def _is_html_page(response) -> bool:
    return (request.method == "GET" and response.status_code == 200 and response.mimetype == "text/html"
            and not response.direct_passthrough)


def _fill(response, *, action_path: str, values, files) -> None:
    filled = refill(response.get_data(as_text=True), action_path=_path_only(action_path),
                    page_path=request.path, values=[tuple(pair) for pair in values])
    notice = render_template("users/_kept_notice.html", files=files, unplaced=filled.unplaced,
                             found_form=filled.found_form)
    response.set_data(filled.html[:filled.notice_at] + notice + filled.html[filled.notice_at:])


def restore(response):
    """On the page of a kept post: the values back in the form (for its owner;
    a visitor's public form from this browser's own session cookie)."""
    if not _is_html_page(response):
        return response
    visitor = session.get(VISITOR_KEY)
    if visitor and _path_only(visitor["page"]) == unquote(request.path):
        session.pop(VISITOR_KEY)
        _fill(response, action_path=visitor["action"], values=visitor["values"], files=visitor["files"])
        return response
    tokens = session.get(SESSION_KEY)
    if not tokens or not current_user.is_authenticated:
        return response
    rows = db.session.scalars(sa.select(KeptForm).where(
        KeptForm.token_hash.in_([_digest(token) for token in tokens]), KeptForm.user_id == current_user.id,
        KeptForm.created_at >= utcnow() - KEPT_FOR).order_by(KeptForm.id.desc())).all()
    live = {each.token_hash for each in rows}
    if len(live) < len(tokens):  # shown, expired or someone else's: no query for them on later pages
        tokens = session[SESSION_KEY] = [token for token in tokens if _digest(token) in live]
    row = next((each for each in rows if _path_only(each.page_path) == unquote(request.path)), None)
    if row is None:
        return response
    _fill(response, action_path=row.action_path, values=row.values, files=row.file_fields)
    session[SESSION_KEY] = [token for token in tokens if _digest(token) != row.token_hash]
    db.session.delete(row)  # shown once: committed with this request
    return response


def unauthorized():
    """Flask-Login's answer to a signed-out request, except that a signed-out
    post keeps what was typed."""
    if request.method == "POST" and request.form:
        # a Response, not a tuple: the access policy raises it with abort()
        return make_response(keep_what_was_typed(SIGNED_OUT, signed_out_status=401))
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def init_app(app) -> None:
    from flask_wtf.csrf import CSRFError

    app.register_error_handler(CSRFError, lambda exc: keep_what_was_typed())
    login_manager.unauthorized_handler(unauthorized)
    app.after_request(restore)
