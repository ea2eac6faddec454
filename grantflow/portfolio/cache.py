"""A short-lived, per-process cache of dashboard figures.

Summarising 100,000 applications takes seconds however well it is indexed (every
chart is an aggregate over the filtered portfolio), so the dashboard keeps each
filter set's figures for PORTFOLIO_CACHE_SECONDS (default 300; 0 turns the cache
off, as tests do). A commit in this process that changes applications,
organisations, funds, rounds, awards, payments, disbursements, reports, reviews or
review assignments (tracked_models) through ORM objects empties the cache at
once (bulk SQL statements are not seen, as no object changes); other processes
see the change only when their copy expires, up to PORTFOLIO_CACHE_SECONDS later.
The page says when its figures were computed and offers to recompute them;
exports never use the cache. The dashboard's filter choices read from the
database (funds, rounds, years: so a round created by another process is offered
here only after the expiry), its filter form HTML and its export form's fields
(all but the CSRF token) are kept here too, the last two keyed by everything
they are rendered from."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

# a filter set's figures, its filter form and its export fields are one entry each
MAX_ENTRIES = 128
_entries: OrderedDict = OrderedDict()
_lock = threading.Lock()
_CHANGED = "portfolio_changed"


def tracked_models() -> tuple[type, ...]:
    from ..applications.models import Application
    from ..awards.models import Award, PaymentTranche
    from ..funds.models import Fund, Round
    from ..organisations.models import Organisation
    from ..reporting.models import Disbursement, Report
    from ..reviews.models import Review, ReviewAssignment

    return (Application, Organisation, Fund, Round, Award, PaymentTranche, Disbursement, Report, Review,
            ReviewAssignment)


def cached(key: tuple, compute: Callable[[], object]) -> tuple[object, float]:
    """(value, computed_at epoch seconds), computing when missing or expired."""
    ttl = current_app.config.get("PORTFOLIO_CACHE_SECONDS", 0)
    if ttl <= 0:
        return compute(), time.time()
    now = time.time()
    with _lock:
        found = _entries.get(key)
        if found is not None and found[0] > now:
            _entries.move_to_end(key)
            return found[1], found[2]
    value = compute()
    with _lock:
        _entries[key] = (now + ttl, value, now)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value, now


def clear() -> None:
    with _lock:
        _entries.clear()


def _note_changes(session, flush_context) -> None:
    models = tracked_models()
    if any(isinstance(obj, models) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


def _after_commit(session) -> None:
    if session.info.pop(_CHANGED, False):
        clear()


def _after_rollback(session) -> None:
    session.info.pop(_CHANGED, None)


def listen() -> None:
    if getattr(listen, "done", False):
        return
    event.listen(Session, "after_flush", _note_changes)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", lambda session, previous: _after_rollback(session))
    listen.done = True
