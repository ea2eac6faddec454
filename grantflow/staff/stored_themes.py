"""The themes stored in applications, kept per process for the list's filter.

Finding them scans every application's JSON ``themes`` (json_each or
jsonb_array_elements: ~70 ms at 100,000 applications on SQLite), too slow for
every request of the application list. So each process keeps the set for
STAFF_THEME_CHOICES_SECONDS (default 300; 0 scans on every request, as tests
do) and adds to it, at once, the themes of applications committed in this
process. Another process's new theme appears in this one's list when the copy
expires; a theme no application has any more stays listed until then (choosing
it lists nothing). The form definitions' themes are always listed anyway."""
from __future__ import annotations

import threading
import time
from typing import Callable

from flask import current_app
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

_lock = threading.Lock()
_kept: dict = {"expires": 0.0, "themes": None}
_COMMITTED = "staff_stored_themes"


def stored_themes(scan: Callable[[], set[str]]) -> set[str]:
    """The stored themes: this process's copy, or ``scan()`` when it has none or it expired."""
    ttl = current_app.config.get("STAFF_THEME_CHOICES_SECONDS", 0)
    if ttl <= 0:
        return scan()
    now = time.time()
    with _lock:
        if _kept["themes"] is not None and _kept["expires"] > now:
            return set(_kept["themes"])
    themes = scan()
    with _lock:
        _kept.update(expires=now + ttl, themes=set(themes))
    return themes


def forget() -> None:
    with _lock:
        _kept.update(expires=0.0, themes=None)


def _note_themes(session, flush_context) -> None:
    from ..applications.models import Application

    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Application) and obj.themes and (
                obj in session.new or inspect(obj).attrs.themes.history.has_changes()):
            session.info.setdefault(_COMMITTED, set()).update(str(t) for t in obj.themes)


def _add_committed(session) -> None:
    themes = session.info.pop(_COMMITTED, None)
    if themes:
        with _lock:
            if _kept["themes"] is not None:
                _kept["themes"] |= themes


def _forget_rolled_back(session, previous_transaction) -> None:
    # a rolled-back savepoint (one failed bulk move) keeps the others' themes:
    # listing a theme too many is harmless, and only until the copy expires
    if previous_transaction.parent is None:
        session.info.pop(_COMMITTED, None)


def listen() -> None:
    if getattr(listen, "done", False):
        return
    # before_flush: the attribute history is still there (after a flush it is reset)
    event.listen(Session, "before_flush", lambda session, context, instances: _note_themes(session, context))
    event.listen(Session, "after_commit", _add_committed)
    event.listen(Session, "after_soft_rollback", _forget_rolled_back)
    listen.done = True
