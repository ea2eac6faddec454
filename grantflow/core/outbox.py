"""Side effects that must only happen once the transaction is committed.

Operations never commit: they flush and register effects here with
``on_commit``. A rolled-back transaction sends no email and starts no job.
``commit()`` is the one place that commits; views reach it through the
per-request hook in ``core.web``, CLI commands and jobs call it directly.
"""
from __future__ import annotations

import logging
from typing import Callable

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

log = logging.getLogger(__name__)

PENDING = "grantflow_pending"
READY = "grantflow_ready"


def on_commit(func: Callable, *args, **kwargs) -> None:
    """Run ``func(*args, **kwargs)`` after the current transaction commits."""
    db.session.info.setdefault(PENDING, []).append((func, args, kwargs))


def on_commit_once(func: Callable, *args) -> None:
    """``on_commit``, unless the same call already waits for this commit."""
    if (func, args, {}) not in db.session.info.get(PENDING, []):
        on_commit(func, *args)


SAVEPOINTS = "grantflow_savepoints"
UNDO = "grantflow_undo"


def on_rollback(func: Callable, *args, **kwargs) -> None:
    """Run ``func(*args, **kwargs)`` if the current transaction (or the SAVEPOINT
    it was registered in) rolls back: undo what the database cannot, such as a
    file written for a row that will never exist. Dropped on commit."""
    db.session.info.setdefault(UNDO, []).append((func, args, kwargs))


def _run_undo(entries: list) -> None:
    for func, args, kwargs in reversed(entries):
        try:
            func(*args, **kwargs)
        except Exception:  # an undo that fails must not hide the rollback's own cause
            log.exception("undo step %s failed", getattr(func, "__name__", func))


def _after_commit(session: Session) -> None:
    # SQLAlchemy also fires after_commit when a SAVEPOINT is released: the
    # callbacks must wait for the outermost commit.
    if session.in_nested_transaction():
        return
    session.info.pop(SAVEPOINTS, None)
    session.info.pop(UNDO, None)
    pending = session.info.pop(PENDING, [])
    if pending:
        session.info.setdefault(READY, []).extend(pending)


def _after_transaction_create(session: Session, transaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault(SAVEPOINTS, {})
        # keep the transaction itself: its id() can then never be reused by another one
        marks[id(transaction)] = (transaction, len(session.info.get(PENDING, [])),
                                  len(session.info.get(UNDO, [])))


def _after_rollback(session: Session, previous) -> None:
    """A rolled-back SAVEPOINT drops only the callbacks registered inside it
    (a bulk action keeps the effects of the moves that succeeded); rolling back
    the outermost transaction drops them all."""
    if previous.parent is None:
        session.info.pop(PENDING, None)
        session.info.pop(SAVEPOINTS, None)
        _run_undo(session.info.pop(UNDO, []))
        return
    marks = session.info.get(SAVEPOINTS, {})
    transaction = previous  # a failed flush rolls back a subtransaction first: find its SAVEPOINT
    while transaction is not None and id(transaction) not in marks:
        transaction = transaction.parent
    if transaction is not None:
        _, pending_mark, undo_mark = marks[id(transaction)]
        del session.info.get(PENDING, [])[pending_mark:]
        undo = session.info.get(UNDO, [])
        _run_undo(undo[undo_mark:])
        del undo[undo_mark:]


def run_ready() -> None:
    """Run the callbacks whose transaction has committed.

    Called outside SQLAlchemy's event handlers so that callbacks may use the
    session and commit themselves (an in-process job does)."""
    session = db.session()
    while session.info.get(READY):
        func, args, kwargs = session.info[READY].pop(0)
        func(*args, **kwargs)


COMMITTED = "grantflow_committed"


def commit() -> None:
    db.session.commit()
    if has_request_context():
        # from here on a failure must not tell the user that nothing was saved
        g.setdefault(COMMITTED, True)
    run_ready()


def committed_in_this_request() -> bool:
    return has_request_context() and g.get(COMMITTED, False)


def init_app(app) -> None:
    if getattr(init_app, "_listening", False):
        return
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_rollback)
    event.listen(Session, "after_transaction_create", _after_transaction_create)
    init_app._listening = True
