"""The staff list of applications: filters, search and pagination in SQL.

A page costs the same number of queries whatever its length and the data's
size: the count (without the organisations join unless a filter needs it) and
the page, which reads only the columns the list shows, with each row's
organisation and round joined in."""
from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, replace

import sqlalchemy as sa
from sqlalchemy import exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import contains_eager, joinedload, load_only

from ..applications.models import Application
from ..core.params import MAX_PAGE, whole_number
from ..extensions import db
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
        page = whole_number(args.get("page"), maximum=MAX_PAGE) or 1
        round_id = whole_number(args.get("round"))
        return cls(
            round_id=round_id, state=state if NAME.match(state) else "",
            theme=(args.get("theme") or "").strip()[:80],
            applicant_type=applicant_type if applicant_type in APPLICANT_TYPES else "",
            us_state=us_state if us_state in US_STATES else "", q=(args.get("q") or "").strip()[:200], page=page,
        )

    def as_args(self, **changes) -> dict:
        """The non-empty filters as query-string arguments (for links and hidden fields)."""
        values = asdict(replace(self, **changes))
        values["round"] = values.pop("round_id")
        if values["page"] == 1:
            values.pop("page")
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def is_filtered(self) -> bool:
        return bool(self.as_args(page=1))

    @property
    def reads_organisations(self) -> bool:
        return bool(self.applicant_type or self.us_state or self.q)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _conditions(filters: ApplicationFilters) -> list:
    conditions = []
    if filters.round_id is not None:
        conditions.append(Application.round_id == filters.round_id)
    if filters.state:
        conditions.append(Application.state == filters.state)
    if filters.theme:
        # ``themes`` is a JSON list: match one element exactly, in SQL
        if is_postgres():
            conditions.append(sa.cast(Application.themes, JSONB).contains(sa.cast([filters.theme], JSONB)))
        else:
            element = func.json_each(Application.themes).table_valued("value")
            conditions.append(exists(select(1).select_from(element).where(element.c.value == filters.theme)))
    if filters.applicant_type:
        conditions.append(Organisation.applicant_type == filters.applicant_type)
    if filters.us_state:
        conditions.append(Organisation.state == filters.us_state)
    if filters.q:
        pattern = _like(filters.q)
        matches = [Organisation.name.ilike(pattern, escape="\\"), Application.title.ilike(pattern, escape="\\")]
        reference = REFERENCE.match(filters.q)
        if reference:
            matches.append(Application.id == int(reference.group(1)))
        conditions.append(or_(*matches))
    return conditions


def filtered(filters: ApplicationFilters):
    """``SELECT applications JOIN organisations`` restricted by the filters."""
    return select(Application).join(Application.organisation).where(*_conditions(filters))


def count_matching(filters: ApplicationFilters) -> int:
    """How many applications match. Organisations are joined only when a filter
    reads them: every application has exactly one (a NOT NULL foreign key), so
    the count is the same without the join, and an index-only count."""
    return db.session.scalar(_matching(func.count(), filters))


def _matching(column, filters: ApplicationFilters):
    """``SELECT column FROM applications`` restricted by the filters, with
    organisations joined only when a filter reads them."""
    query = select(column).select_from(Application)
    if filters.reads_organisations:
        query = query.join(Application.organisation)
    return query.where(*_conditions(filters))


def with_related(query):
    """Load each row's organisation (already joined) and round in the same query."""
    return query.options(contains_eager(Application.organisation), joinedload(Application.round))


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def page_of_applications(filters: ApplicationFilters, per_page: int = PER_PAGE) -> Page:
    """One page of the list (a page past the last shows the last), reading only
    the columns it shows: not the answers or themes, whose JSON decoding would
    dominate the page."""
    total = count_matching(filters)
    page = min(filters.page, max(1, math.ceil(total / per_page)))
    # the page's ids first (an index scan), then only those rows joined: joining
    # every row before the offset made page 50 cost five times page 1
    ids = _matching(Application.id, filters).order_by(Application.id).limit(per_page).offset((page - 1) * per_page)
    query = (select(Application).join(Application.organisation).join(Application.round)
             .where(Application.id.in_(ids.scalar_subquery()))
             .options(load_only(Application.id, Application.title, Application.amount_requested_cents,
                                Application.workflow_key, Application.workflow_version, Application.state,
                                Application.state_changed_at),
                      contains_eager(Application.organisation).load_only(
                          Organisation.name, Organisation.applicant_type, Organisation.state),
                      contains_eager(Application.round).load_only(Round.name))
             .order_by(Application.id))
    items = db.session.scalars(query).all() if total else []
    return Page(items=items, total=total, page=page, per_page=per_page)


def all_matching(filters: ApplicationFilters) -> list[Application]:
    return db.session.scalars(with_related(filtered(filters)).order_by(Application.id)).unique().all()


def applications_by_id(ids: list[int]) -> list[Application]:
    if not ids:
        return []
    query = with_related(select(Application).join(Application.organisation).where(Application.id.in_(ids)))
    return db.session.scalars(query.order_by(Application.id)).unique().all()
