"""The staff list's filter choices: the rounds and the themes applications have.

Both are read on every view of the list, so both are kept per process: the
rounds under the round list's version, which is exact in every process; the
themes for STAFF_THEME_CHOICES_SECONDS (see ``stored_themes``)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import JSONB

from ..applications.models import Application
from ..extensions import db
from ..funds.models import Fund, Round
from .queries import is_postgres
from .stored_themes import stored_themes


@dataclass(frozen=True, slots=True)
class RoundChoice:
    """A round as the list's filter and bulk menu need it (not its settings,
    dates or description, which decoding made the costliest query of the page)."""
    id: int
    name: str
    fund_name: str
    workflow_key: str
    workflow_version: int


@functools.cache
def _round_choices_statement():
    """Built once, from the tables' columns: a plain (not ORM) select. Building
    the ORM select every request and going through the ORM's result handling
    made it ~150 us instead of ~55 us at 100,000 on SQLite (a dozen rounds)."""
    rounds, funds = Round.__table__, Fund.__table__
    return (select(rounds.c.id, rounds.c.name, funds.c.name, rounds.c.workflow_key, rounds.c.workflow_version)
            .select_from(rounds.join(funds, funds.c.id == rounds.c.fund_id)).order_by(rounds.c.opens_at.desc()))


_kept_rounds: dict = {}


def forget_kept_rounds() -> None:
    _kept_rounds.clear()


def round_choices(version: tuple | None = None) -> list[RoundChoice]:
    """Every round, latest opening first. Given the round list's version (read
    with the list's page), a process reuses the rounds it read at that version:
    the version counts every change to what this shows, in every process
    (``funds.round_list``), so the copy is never out of date."""
    database = str(db.session.get_bind().url)
    kept = _kept_rounds.get(database)
    if version is not None and kept is not None and kept[0] == version:
        return list(kept[1])
    rounds = [RoundChoice(*row) for row in db.session.execute(_round_choices_statement())]
    if version is not None:
        # read after the version: at least as new as it says, never older
        _kept_rounds[database] = (version, tuple(rounds))
    return rounds


def _scan_stored_themes() -> set[str]:
    """Every theme some application has (one query over all applications)."""
    if is_postgres():
        element = func.jsonb_array_elements_text(sa.cast(Application.themes, JSONB)).table_valued("value")
        query = select(element.c.value).select_from(Application).join(element, sa.true())
    else:
        element = func.json_each(Application.themes).table_valued("value")
        query = select(element.c.value).select_from(Application).join(element, sa.true())
    return {str(v) for v in db.session.scalars(query.distinct()) if v is not None}


def theme_choices() -> list[str]:
    """The themes that occur in applications (kept per process: see ``stored_themes``)."""
    return sorted(stored_themes(_scan_stored_themes))
