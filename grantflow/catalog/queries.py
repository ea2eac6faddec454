"""Published grants: the one query behind every public page, download and API
endpoint (``published_grants``), and the counts the map and filters show.

A published grant is an accepted award (``portfolio.facts.is_accepted_grant``:
the applicant accepted and the workflow declares a grant) in a publishing round
(``publishing.published_round_ids``). Only public columns are selected: the
organisation, its state and kind, the project's title, summary and themes, the
amount, period and date of the award; never a person's name, email or phone."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..applications.models import Application
from ..core import formdefs
from ..extensions import db
from ..funds.models import Fund, Round
from ..organisations.models import APPLICANT_TYPES, US_STATES, Organisation
from ..portfolio import facts
from ..portfolio.labels import theme_label, theme_labels
from .filters import CatalogFilters
from .publishing import published_round_ids

PAGE_SIZE = 25


@dataclass(frozen=True)
class PublishedGrant:
    application_id: int
    award_number: str
    title: str
    summary: str
    organisation: str
    us_state: str
    state_name: str
    applicant_type: str
    government_kind: str
    themes: tuple[str, ...]
    amount_cents: int
    period_start: date
    period_end: date
    awarded_on: date
    fund_slug: str
    fund_name: str
    round_name: str


@dataclass
class Listing:
    grants: list[PublishedGrant]
    total: int
    awarded_cents: int
    page: int = 1
    page_size: int = PAGE_SIZE
    filters: CatalogFilters = field(default_factory=CatalogFilters)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _published(award, *columns, filters: CatalogFilters, round_ids: list[int]):
    """SELECT columns of the published grants matching the filters."""
    stmt = (sa.select(*columns).select_from(Application)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .join(Round, Round.id == Application.round_id)
            .join(Fund, Fund.id == Round.fund_id)
            .join(award, award.c.application_id == Application.id)
            .where(facts.is_accepted_grant(award), Application.round_id.in_(round_ids)))
    return filters.apply(stmt, awarded_at(award))


def awarded_at(award):
    """When the award was decided (the award terms' date when the workflow recorded none)."""
    return sa.func.coalesce(Application.decided_at, award.c.award_recorded_at)


def _grant_columns(award):
    return (Application.id, award.c.award_number, Application.title,
            formdefs.role_value(Application, "summary").label("summary"), Organisation.name.label("organisation"),
            Organisation.state.label("us_state"), Organisation.applicant_type, Application.themes,
            award.c.awarded_cents, award.c.period_start, award.c.period_end, awarded_at(award).label("awarded_at"),
            Fund.slug.label("fund_slug"), Fund.name.label("fund_name"), Round.name.label("round_name"))


def _grant(row, labels: dict[str, str]) -> PublishedGrant:
    awarded = row.awarded_at
    return PublishedGrant(
        application_id=row.id, award_number=row.award_number, title=row.title,
        summary=(row.summary or "").strip(), organisation=row.organisation, us_state=row.us_state,
        state_name=US_STATES.get(row.us_state, row.us_state), applicant_type=row.applicant_type,
        government_kind=APPLICANT_TYPES.get(row.applicant_type, row.applicant_type or ""),
        themes=tuple(theme_label(t, labels) for t in (row.themes or [])), amount_cents=int(row.awarded_cents),
        period_start=row.period_start, period_end=row.period_end,
        awarded_on=awarded.date() if hasattr(awarded, "date") else awarded,
        fund_slug=row.fund_slug, fund_name=row.fund_name, round_name=row.round_name)


def published_grants(filters: CatalogFilters = CatalogFilters(), *, page: int = 1,
                     page_size: int = PAGE_SIZE) -> Listing:
    """One page of the published grants matching ``filters``, newest award first,
    with their number and total amount (two queries)."""
    round_ids = published_round_ids()
    award = facts.award_facts()
    total, cents = db.session.execute(_published(
        award, sa.func.count(Application.id), sa.func.coalesce(sa.func.sum(award.c.awarded_cents), 0),
        filters=filters, round_ids=round_ids)).one()
    rows = db.session.execute(_published(award, *_grant_columns(award), filters=filters, round_ids=round_ids)
                              .order_by(awarded_at(award).desc(), Application.id.desc())
                              .limit(page_size).offset((page - 1) * page_size)).all()
    labels = theme_labels()
    return Listing([_grant(row, labels) for row in rows], int(total), int(cents), page, page_size, filters)


def published_grant(application_id: int) -> PublishedGrant | None:
    """One published grant, or None (unknown, not accepted, or its round does not publish)."""
    award = facts.award_facts()
    row = db.session.execute(_published(award, *_grant_columns(award), filters=CatalogFilters(),
                                        round_ids=published_round_ids())
                             .where(Application.id == application_id)).first()
    return _grant(row, theme_labels()) if row else None


def published_application_ids(filters: CatalogFilters = CatalogFilters()) -> list[int]:
    award = facts.award_facts()
    return list(db.session.scalars(_published(award, Application.id, filters=filters,
                                              round_ids=published_round_ids())))


def counts_by_state(filters: CatalogFilters = CatalogFilters()) -> dict[str, tuple[int, int]]:
    """State or territory code -> (published grants, amount in cents), under the
    filters other than the state itself (the map shows every state)."""
    award = facts.award_facts()
    stmt = _published(award, Organisation.state, sa.func.count(Application.id), sa.func.sum(award.c.awarded_cents),
                      filters=filters.without("us_state"), round_ids=published_round_ids())
    return {code: (int(count), int(cents or 0))
            for code, count, cents in db.session.execute(stmt.group_by(Organisation.state))}


def award_years() -> list[int]:
    """The years with at least one published grant, newest first (the year filter's choices)."""
    award = facts.award_facts()
    years = db.session.scalars(_published(award, sa.extract("year", awarded_at(award)), filters=CatalogFilters(),
                                          round_ids=published_round_ids()).distinct())
    return sorted({int(y) for y in years if y is not None}, reverse=True)
