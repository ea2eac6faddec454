"""Exact application counts per (round, state) without scanning the applications.

The staff list shows "Showing 1–25 of 100,000". Counting 100,000 rows on every
page view is a 5-8 ms index scan on PostgreSQL, longer than the rest of the page.
Database triggers on ``applications`` instead append a row of +1 or -1 to
``application_tallies`` for every insert, delete and change of round or state
(in the same transaction, so a rolled-back change leaves no trace and every
writer is covered: the ORM, bulk inserts, plain SQL). A count is then the sum of
a few hundred small rows.

The table only ever receives INSERTs from the triggers, so two transactions
moving applications in opposite directions never wait on (or deadlock over) a
shared counter row. ``compact()`` folds the rows into one per (round, state); it
takes exactly the rows it deletes (``DELETE ... RETURNING``), so it can run
alongside writers and other compactions without losing or doubling a delta.
Readers queue it once the table has grown past ``COMPACT_AFTER`` rows (the
row count comes with the sum, in the same statement).
"""
from __future__ import annotations

import functools
import time
from collections import Counter

import sqlalchemy as sa

from ..core import triggers
from ..extensions import db
from .models import ApplicationTally

#: a count that had to add more rows than this queues a compaction
COMPACT_AFTER = 500
#: a process queues at most one compaction per this many seconds
COMPACT_QUEUE_INTERVAL = 60.0
COMPACT_TASK = "grantflow.applications.tasks.compact_tallies"

# The triggers, per dialect. The migration that installs them on existing
# databases (0002) keeps its own copy, as migrations must not change later.
SQLITE_TRIGGERS = (
    """CREATE TRIGGER application_tallies_after_insert AFTER INSERT ON applications
BEGIN
  INSERT INTO application_tallies (round_id, state, delta) VALUES (NEW.round_id, NEW.state, 1);
END""",
    """CREATE TRIGGER application_tallies_after_delete AFTER DELETE ON applications
BEGIN
  INSERT INTO application_tallies (round_id, state, delta) VALUES (OLD.round_id, OLD.state, -1);
END""",
    """CREATE TRIGGER application_tallies_after_update AFTER UPDATE OF round_id, state ON applications
WHEN OLD.round_id IS NOT NEW.round_id OR OLD.state IS NOT NEW.state
BEGIN
  INSERT INTO application_tallies (round_id, state, delta)
  VALUES (OLD.round_id, OLD.state, -1), (NEW.round_id, NEW.state, 1);
END""",
)
POSTGRESQL_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION application_tallies_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM application_tallies;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO application_tallies (round_id, state, delta) VALUES (OLD.round_id, OLD.state, -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO application_tallies (round_id, state, delta) VALUES (NEW.round_id, NEW.state, 1);
  END IF;
  RETURN NULL;
END $$""",
    """CREATE TRIGGER application_tallies_after_insert_or_delete AFTER INSERT OR DELETE ON applications
FOR EACH ROW EXECUTE FUNCTION application_tallies_track()""",
    """CREATE TRIGGER application_tallies_after_update AFTER UPDATE OF round_id, state ON applications
FOR EACH ROW WHEN (OLD.round_id IS DISTINCT FROM NEW.round_id OR OLD.state IS DISTINCT FROM NEW.state)
EXECUTE FUNCTION application_tallies_track()""",
    """CREATE TRIGGER application_tallies_after_truncate AFTER TRUNCATE ON applications
FOR EACH STATEMENT EXECUTE FUNCTION application_tallies_track()""",
)
triggers.register("application_tallies", {"applications", "application_tallies"},
                  {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS})


_TALLIES = ApplicationTally.__table__


def subqueries(by_round: bool, by_state: bool):
    """(total, rows): scalar subqueries of how many applications there are (in
    the round bound as ``round_id``, in the state bound as ``state``) and of how
    many tally rows that took, to embed in a larger statement."""
    total = sa.select(sa.func.coalesce(sa.func.sum(_TALLIES.c.delta), 0))
    if by_round:
        total = total.where(_TALLIES.c.round_id == sa.bindparam("round_id"))
    if by_state:
        total = total.where(_TALLIES.c.state == sa.bindparam("state"))
    rows = sa.select(sa.func.count()).select_from(_TALLIES)
    return total.scalar_subquery(), rows.scalar_subquery()


def rounds_with(states) -> sa.Select:
    """``SELECT round_id`` of the rounds that have an application in one of ``states``."""
    # equalities, not IN: an IN list is re-expanded into the SQL on every execution
    return (sa.select(_TALLIES.c.round_id).where(sa.or_(*(_TALLIES.c.state == state for state in states)))
            .group_by(_TALLIES.c.round_id).having(sa.func.sum(_TALLIES.c.delta) > 0))


@functools.cache
def _count_statement(by_round: bool, by_state: bool):
    total, rows = subqueries(by_round, by_state)
    return sa.select(total, rows)


def count(round_id: int | None = None, state: str | None = None) -> int:
    """How many applications there are (in a round, in a state), exactly."""
    params = {"round_id": round_id, "state": state}
    total, rows = db.session.execute(_count_statement(round_id is not None, bool(state)), params).one()
    check_size(rows)
    return int(total)


def check_size(rows: int) -> None:
    """Given how many rows the tallies have: queue a compaction when they are too many."""
    if rows > COMPACT_AFTER:
        _queue_compaction()


_last_queued = [0.0]


def _queue_compaction() -> None:
    from ..core import jobs

    now = time.monotonic()
    if now - _last_queued[0] < COMPACT_QUEUE_INTERVAL:
        return
    _last_queued[0] = now
    jobs.enqueue(COMPACT_TASK)


def compact() -> int:
    """Fold every tally row into one per (round, state) (none for a zero);
    returns how many rows it folded. Flushes, never commits."""
    gone = db.session.execute(sa.delete(_TALLIES).returning(
        _TALLIES.c.round_id, _TALLIES.c.state, _TALLIES.c.delta)).all()
    sums = Counter()
    for round_id, state, delta in gone:
        sums[round_id, state] += delta
    rows = [{"round_id": r, "state": s, "delta": n} for (r, s), n in sorted(sums.items()) if n]
    if rows:
        db.session.execute(sa.insert(_TALLIES), rows)
    return len(gone)
