"""When the list of rounds changed: a version number that is exact in every process.

The staff list offers every round in its filter and shows the chosen one's name.
Reading the rounds is a statement of its own on every page view; keeping them per
process would show a round added (or renamed) by another process late. Instead
database triggers append a row to ``round_list_changes`` whenever what the list
shows changes: a round added or deleted, a round's name, fund, opening date or
workflow changed, a fund renamed. The version comes
with the list's page (a subquery, no extra statement), and a process reuses its
copy of the rounds while the version is the one it read them at. Inserts only,
so two transactions never wait on each other; rows are only ever a few hundred
(rounds change a few times a year), so counting them is immediate.

The version is the count of rows with the latest time among them. A count, not
the highest id: ids are handed out before commit, so a change could commit after
a later one and never raise the highest id; every commit raises the count. With
the latest time: a change rolled back and another made after it would leave the
same count (and, on SQLite, reuse the same id), but not the same time.
"""
from __future__ import annotations

import sqlalchemy as sa

from ..core import triggers
from .models import RoundListChange

# The migration that installs them on existing databases (0003) keeps its own copy.
SQLITE_TRIGGERS = tuple(
    f"""CREATE TRIGGER round_list_after_{name} AFTER {event}{condition}
BEGIN
  INSERT INTO round_list_changes (changed_at) VALUES (strftime('%Y-%m-%d %H:%M:%f', 'now'));
END""" for name, event, condition in (
        ("round_insert", "INSERT ON rounds", ""),
        ("round_delete", "DELETE ON rounds", ""),
        ("round_update", "UPDATE OF name, fund_id, opens_at, workflow_key, workflow_version ON rounds",
         "\nWHEN OLD.name IS NOT NEW.name OR OLD.fund_id IS NOT NEW.fund_id OR OLD.opens_at IS NOT NEW.opens_at"
         " OR OLD.workflow_key IS NOT NEW.workflow_key OR OLD.workflow_version IS NOT NEW.workflow_version"),
        ("fund_update", "UPDATE OF name ON funds", "\nWHEN OLD.name IS NOT NEW.name"),
    ))
POSTGRESQL_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION round_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO round_list_changes (changed_at) VALUES (clock_timestamp());
  RETURN NULL;
END $$""",
    """CREATE TRIGGER round_list_after_round_insert_delete_truncate AFTER INSERT OR DELETE OR TRUNCATE ON rounds
FOR EACH STATEMENT EXECUTE FUNCTION round_list_changed()""",
    """CREATE TRIGGER round_list_after_round_update AFTER UPDATE OF name, fund_id, opens_at, workflow_key,
workflow_version ON rounds FOR EACH ROW
WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.fund_id IS DISTINCT FROM NEW.fund_id
  OR OLD.opens_at IS DISTINCT FROM NEW.opens_at OR OLD.workflow_key IS DISTINCT FROM NEW.workflow_key
  OR OLD.workflow_version IS DISTINCT FROM NEW.workflow_version)
EXECUTE FUNCTION round_list_changed()""",
    """CREATE TRIGGER round_list_after_fund_update AFTER UPDATE OF name ON funds FOR EACH ROW
WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION round_list_changed()""",
)
triggers.register("round_list_changes", {"rounds", "funds", "round_list_changes"},
                  {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS})


def version_subqueries():
    """Scalar subqueries giving the round list's version (a count and a time),
    to read along with other rows."""
    changes = RoundListChange.__table__
    return (sa.select(sa.func.count()).select_from(changes).scalar_subquery(),
            sa.select(sa.func.max(changes.c.changed_at)).scalar_subquery())
