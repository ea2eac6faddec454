"""The staff list of applications: filters, search and pagination in SQL.

A page costs the same number of queries whatever its length: one statement
reads the page of rows, with their organisation and round joined in, and the
total (see ``_page_statement``); the filter choices are in ``choices``."""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import contains_eager, joinedload

from ..applications import tallies
from ..applications.models import Application, reference_for
from ..core.workflow.engine import definition_for
from ..extensions import db
from ..funds import round_list
from ..funds.models import Round
from ..organisations.models import APPLICANT_TYPES, US_STATES, Organisation

PER_PAGE = 25
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
REFERENCE = re.compile(r"^\s*(?:[A-Za-z0-9]+-)?0*(\d{1,9})\s*$")


@dataclass(frozen=True)
class ApplicationFilters:
    round_id: int | None = None
    state: str = ""
    theme: str = ""
    applicant_type: str = ""
    us_state: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "ApplicationFilters":
        """Read the query string (or a form); values that cannot match anything are dropped."""
        state = (args.get("state") or "").strip()
        applicant_type = (args.get("applicant_type") or "").strip()
        us_state = (args.get("us_state") or "").strip().upper()
        try:
            page = max(1, int(args.get("page") or 1))
        except ValueError:
            page = 1
        try:
            round_id = int(args.get("round")) if args.get("round") else None
        except ValueError:
            round_id = None
        return cls(
            round_id=round_id, state=state if NAME.match(state) else "",
            theme=(args.get("theme") or "").strip()[:80],
            applicant_type=applicant_type if applicant_type in APPLICANT_TYPES else "",
            us_state=us_state if us_state in US_STATES else "", q=(args.get("q") or "").strip()[:200], page=page,
        )

    def as_args(self, **changes) -> dict:
        """The non-empty filters as query-string arguments (for links and hidden fields).
        Read field by field: every value is an int or a string, so asdict's deep
        copy was only cost (the list page asks for these three or four times)."""
        changed = replace(self, **changes) if changes else self
        values = {f.name: getattr(changed, f.name) for f in fields(changed)}
        values["round"] = values.pop("round_id")
        if values["page"] == 1:
            values.pop("page")
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def is_filtered(self) -> bool:
        return bool(self.as_args(page=1))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _criteria(filters: ApplicationFilters) -> dict:
    """The filters as bound parameters, by name; which names are present decides
    the statement (see ``_conditions``), their values are only bound."""
    params: dict = {}
    if filters.round_id is not None:
        params["round_id"] = filters.round_id
    if filters.state:
        params["state"] = filters.state
    if filters.theme:
        params["theme"] = [filters.theme] if is_postgres() else filters.theme
    if filters.applicant_type:
        params["applicant_type"] = filters.applicant_type
    if filters.us_state:
        params["us_state"] = filters.us_state
    if filters.q:
        params["pattern"] = _like(filters.q)
        reference = REFERENCE.match(filters.q)
        if reference:
            params["reference"] = int(reference.group(1))
    return params


ORGANISATION_CRITERIA = frozenset({"applicant_type", "us_state", "pattern"})
#: criteria the database's tallies can count (``applications.tallies``)
TALLIED_CRITERIA = frozenset({"round_id", "state"})


def _conditions(names: tuple[str, ...], postgres: bool) -> list:
    """The WHERE conditions for these criteria, on the tables' columns with
    bound parameters: each statement is built once per combination of filters
    (building and keying it took longer than running it)."""
    applications, organisations = Application.__table__.c, Organisation.__table__.c
    conditions = []
    if "round_id" in names:
        conditions.append(applications.round_id == bindparam("round_id"))
    if "state" in names:
        conditions.append(applications.state == bindparam("state"))
    if "theme" in names:
        # ``themes`` is a JSON list: match one element exactly, in SQL
        if postgres:
            conditions.append(sa.cast(applications.themes, JSONB).contains(bindparam("theme", type_=JSONB)))
        else:
            element = func.json_each(applications.themes).table_valued("value")
            conditions.append(exists(select(1).select_from(element).where(element.c.value == bindparam("theme"))))
    if "applicant_type" in names:
        conditions.append(organisations.applicant_type == bindparam("applicant_type"))
    if "us_state" in names:
        conditions.append(organisations.state == bindparam("us_state"))
    if "pattern" in names:
        pattern = bindparam("pattern")
        matches = [organisations.name.ilike(pattern, escape="\\"), applications.title.ilike(pattern, escape="\\")]
        if "reference" in names:
            matches.append(applications.id == bindparam("reference"))
        conditions.append(or_(*matches))
    return conditions


def _matching_from(names: tuple[str, ...]):
    """``applications``, joined to ``organisations`` only when a filter needs it:
    every application has exactly one organisation (a NOT NULL foreign key,
    enforced on SQLite too), so counts are the same without the join."""
    applications, organisations = Application.__table__, Organisation.__table__
    if ORGANISATION_CRITERIA.isdisjoint(names):
        return applications
    return applications.join(organisations, organisations.c.id == applications.c.organisation_id)


def filtered(filters: ApplicationFilters):
    """``SELECT applications JOIN organisations`` restricted by the filters (values bound)."""
    params = _criteria(filters)
    query = select(Application).join(Application.organisation).where(*_conditions(tuple(params), is_postgres()))
    return query.params(**params)


@functools.cache
def _count_statement(names: tuple[str, ...], postgres: bool):
    return select(func.count()).select_from(_matching_from(names)).where(*_conditions(names, postgres))


def count_matching(filters: ApplicationFilters) -> int:
    """How many applications match, exactly. With no filter but round and state
    the database's tallies answer (a sum of a few hundred rows, where counting
    100,000 applications is a 5-8 ms index scan on PostgreSQL)."""
    params = _criteria(filters)
    if TALLIED_CRITERIA.issuperset(params):
        return tallies.count(filters.round_id, filters.state or None)
    return db.session.scalar(_count_statement(tuple(params), is_postgres()), params)


def with_related(query):
    """Load each row's organisation (already joined) and round in the same query."""
    return query.options(contains_eager(Application.organisation), joinedload(Application.round))


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    #: the round list's version read with the page (None when the page had no rows)
    rounds_version: tuple | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


class ListedApplication(NamedTuple):
    """One line of the staff list: the columns it shows, read as plain values
    (building an application, its organisation and its round as ORM objects,
    every column decoded, cost more than the rest of the page's queries; a
    named tuple is built, hashed and compared in C)."""
    id: int
    title: str
    organisation_name: str
    applicant_type: str
    organisation_state: str
    round_name: str
    amount_requested_cents: int | None
    workflow_key: str
    workflow_version: int
    state: str
    state_changed_at: datetime

    @property
    def reference(self) -> str:
        return reference_for(self.id)

    @property
    def applicant_type_label(self) -> str:
        return APPLICANT_TYPES.get(self.applicant_type, self.applicant_type)

    @property
    def state_label(self) -> str:
        # as Application.state_label: the label in the application's own workflow version
        return definition_for(self).state(self.state).label


# the tables' columns, not the mapped attributes: a plain select (see _conditions)
LISTED_COLUMNS = tuple(table.c[name] for table, name in (
    (Application.__table__, "id"), (Application.__table__, "title"), (Organisation.__table__, "name"),
    (Organisation.__table__, "applicant_type"), (Organisation.__table__, "state"), (Round.__table__, "name"),
    (Application.__table__, "amount_requested_cents"), (Application.__table__, "workflow_key"),
    (Application.__table__, "workflow_version"), (Application.__table__, "state"),
    (Application.__table__, "state_changed_at")))


@functools.cache
def _page_statement(names: tuple[str, ...], postgres: bool):
    """A page of the list, each row carrying the total: one statement instead of
    a count and a page (on PostgreSQL every statement is a round trip). The
    total is an uncorrelated subquery, computed once, from the tallies when
    they can answer (with their own size, to know when to compact them); the
    round list's version comes along too (see ``round_choices``)."""
    applications, organisations, rounds = Application.__table__, Organisation.__table__, Round.__table__
    if TALLIED_CRITERIA.issuperset(names):
        total, tally_rows = tallies.subqueries("round_id" in names, "state" in names)
    else:
        total, tally_rows = _count_statement(names, postgres).scalar_subquery(), sa.null()
    return (select(*LISTED_COLUMNS, total.label("total"), tally_rows.label("tally_rows"),
                   *(column.label(f"rounds_version_{n}") for n, column in enumerate(round_list.version_subqueries())))
            .select_from(applications.join(organisations, organisations.c.id == applications.c.organisation_id)
                         .join(rounds, rounds.c.id == applications.c.round_id))
            .where(*_conditions(names, postgres))
            .order_by(applications.c.id).limit(bindparam("limit")).offset(bindparam("offset")))


def page_of_applications(filters: ApplicationFilters, per_page: int = PER_PAGE) -> Page:
    params = _criteria(filters)
    statement = _page_statement(tuple(params), is_postgres())
    page = filters.page
    rows = db.session.execute(statement, {**params, "limit": per_page, "offset": (page - 1) * per_page}).all()
    rounds_version = None
    if rows:
        total, rounds_version = rows[0].total, tuple(rows[0][-2:])
        if rows[0].tally_rows is not None:
            tallies.check_size(rows[0].tally_rows)
    else:
        # nothing on this page: none at all, or a page past the last one (then show the last)
        total = count_matching(filters) if page > 1 else 0
        last = max(1, math.ceil(total / per_page))
        if page > last:
            page = last
            if total:
                rows = db.session.execute(statement, {**params, "limit": per_page,
                                                      "offset": (page - 1) * per_page})
    return Page(items=[ListedApplication(*row[:-4]) for row in rows], total=total, page=page, per_page=per_page,
                rounds_version=rounds_version)


def all_matching(filters: ApplicationFilters) -> list[Application]:
    return db.session.scalars(with_related(filtered(filters)).order_by(Application.id)).unique().all()


def applications_by_id(ids: list[int]) -> list[Application]:
    if not ids:
        return []
    query = with_related(select(Application).join(Application.organisation).where(Application.id.in_(ids)))
    return db.session.scalars(query.order_by(Application.id)).unique().all()
