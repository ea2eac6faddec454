"""The dashboard's figures: a fixed number of aggregate queries whatever the size
of the portfolio (one per breakdown), all grouped and summed in SQL."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..applications.models import Application
from ..core.workflow import meaning
from ..extensions import db
from ..funds.models import Round
from ..mentoring.figures import network_figures
from ..organisations.models import APPLICANT_TYPES, US_STATES, Organisation
from . import facts
from .filters import PortfolioFilters, known_workflow_states
from .labels import theme_labels
from .metrics import metric_totals

STORIES_SHOWN = 12


@dataclass
class Totals:
    applications: int = 0
    submitted: int = 0
    decided: int = 0
    grants: int = 0
    paid_grants: int = 0
    closed: int = 0
    requested_cents: int = 0
    awarded_cents: int = 0
    paid_cents: int = 0


@dataclass(frozen=True)
class Slice:
    """One bar of a breakdown: applications, grants and money for one key."""
    key: str
    label: str
    applications: int
    grants: int
    requested_cents: int
    awarded_cents: int


@dataclass(frozen=True)
class Story:
    reference: str
    organisation: str
    us_state: str
    title: str
    text: str


@dataclass
class PortfolioSummary:
    filters: PortfolioFilters
    totals: Totals
    by_workflow_state: list[Slice]
    funnel: list[tuple[str, int]]
    by_theme: list[Slice]
    by_applicant_type: list[Slice]
    by_us_state: list[Slice]
    metrics: list = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    stories_total: int = 0
    #: the mentor network's counts (mentoring.figures), for the whole fund whatever the filters
    network: object = None


def portfolio_select(*columns, award=None, paid=None):
    """SELECT ... FROM applications with the organisation and round joined (the
    filters need both), plus the award and payment facts when given."""
    stmt = (sa.select(*columns).select_from(Application)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .join(Round, Round.id == Application.round_id))
    if award is not None:
        stmt = stmt.outerjoin(award, award.c.application_id == Application.id)
    if paid is not None:
        stmt = stmt.outerjoin(paid, paid.c.application_id == Application.id)
    return stmt


def _money_columns(award, paid=None):
    """Counts and sums of a breakdown (with ``paid``, the money paid too)."""
    grant = facts.is_grant(award)
    columns = (
        sa.func.count(Application.id).label("applications"),
        sa.func.count(sa.case((grant, 1))).label("grants"),
        sa.func.coalesce(sa.func.sum(sa.case((Application.submitted_at.isnot(None),
                                              Application.amount_requested_cents))), 0).label("requested"),
        sa.func.coalesce(sa.func.sum(sa.case((grant, award.c.awarded_cents))), 0).label("awarded_sum"),
    )
    if paid is None:
        return columns
    return (*columns, sa.func.coalesce(sa.func.sum(sa.case((grant, paid.c.paid_cents))), 0).label("paid"))


def _slices(rows, key: str, labels: dict[str, str]) -> list[Slice]:
    """One breakdown summed from the grouped rows: counts and sums add up."""
    sums: dict[str, list[int]] = {}
    for row in rows:
        value = getattr(row, key)
        if value is not None:
            total = sums.setdefault(value, [0, 0, 0, 0])
            for index, amount in enumerate((row.applications, row.grants, row.requested, row.awarded_sum)):
                total[index] += int(amount)
    return [Slice(value, labels.get(value, value), *total) for value, total in sums.items()]


def _by_money(slices: list[Slice]) -> list[Slice]:
    return sorted(slices, key=lambda s: (-s.awarded_cents, -s.applications, s.label))


def _by_theme(filters: PortfolioFilters) -> list[Slice]:
    """Themes apart: an application with several themes counts under each."""
    award, themes = facts.award_facts(), facts.theme_elements()
    stmt = portfolio_select(themes.c.value.label("theme"), *_money_columns(award), award=award)
    rows = db.session.execute(filters.apply(stmt.join(themes, sa.true())).group_by(themes.c.value)).all()
    return _by_money(_slices(rows, "theme", theme_labels()))


def _grouped(filters: PortfolioFilters) -> list:
    """One pass over the portfolio: counts and money per workflow state, applicant
    type and US state together (a few thousand groups), from which the totals and
    three breakdowns are summed, instead of one scan of the portfolio each."""
    award, paid = facts.award_facts(), facts.payment_facts()
    grant = facts.is_grant(award)
    keys = (Application.state.label("workflow_state"), Organisation.applicant_type.label("applicant_type"),
            Organisation.state.label("us_state"))
    stmt = portfolio_select(
        *keys,
        *_money_columns(award, paid),
        sa.func.count(Application.submitted_at).label("submitted"),
        sa.func.count(Application.decided_at).label("decided"),
        sa.func.count(sa.case((sa.and_(grant, paid.c.paid_cents > 0), 1))).label("paid_grants"),
        award=award, paid=paid)
    return db.session.execute(filters.apply(stmt).group_by(*keys)).all()


def _totals(rows) -> Totals:
    completed = meaning.state_names_in("completed")
    totals = Totals()
    for row in rows:
        totals.applications += row.applications
        totals.submitted += row.submitted
        totals.decided += row.decided
        totals.grants += row.grants
        totals.paid_grants += row.paid_grants
        totals.requested_cents += int(row.requested)
        totals.awarded_cents += int(row.awarded_sum)
        totals.paid_cents += int(row.paid)
        if row.workflow_state in completed:
            totals.closed += row.applications
    return totals


def _in_workflow_order(slices: list[Slice]) -> list[Slice]:
    order = {name: position for position, name in enumerate(known_workflow_states())}
    return sorted(slices, key=lambda s: order.get(s.key, len(order)))


def funnel(totals: Totals) -> list[tuple[str, int]]:
    """How far applications got: each stage counts those that reached it or beyond."""
    return [
        ("Started", totals.applications),
        ("Submitted", totals.submitted),
        ("Decided", totals.decided),
        ("Awarded (grants)", totals.grants),
        ("Paid at least once", totals.paid_grants),
        ("Closed", totals.closed),
    ]


def _stories(filters: PortfolioFilters, limit: int) -> tuple[list[Story], int]:
    """The latest success stories whose authors consented to publication (and how many in all):
    one per grant, its latest, since a grantee often repeats a story in each report."""
    from ..reporting.models import Report

    newest_first = (Report.submitted_at.desc(), Report.id.desc())
    latest = (sa.select(Report.id, Report.application_id, sa.func.row_number().over(
        partition_by=Report.application_id, order_by=newest_first).label("n"))
        .where(Report.is_story_publishable.is_(True), Report.state == "accepted",
               sa.func.length(sa.func.trim(sa.func.coalesce(Report.success_story, ""))) > 0)
        .subquery())
    stmt = portfolio_select(Application.id, Organisation.name, Organisation.state, Application.title,
                            Report.success_story, sa.func.count().over().label("total"))
    stmt = (stmt.join(latest, sa.and_(latest.c.application_id == Application.id, latest.c.n == 1))
            .join(Report, Report.id == latest.c.id))
    stmt = filters.apply(stmt).order_by(*newest_first).limit(limit)
    rows = db.session.execute(stmt).all()
    stories = [Story(f"L2G-{row.id:05d}", row.name, US_STATES.get(row.state, row.state), row.title,
                     row.success_story.strip()) for row in rows]
    return stories, (rows[0].total if rows else 0)


def summarise(filters: PortfolioFilters, *, stories: int = STORIES_SHOWN) -> PortfolioSummary:
    """Every figure on the dashboard and in the PDF report: six queries in all, and the mentor
    network's four."""
    rows = _grouped(filters)
    totals = _totals(rows)
    summary = PortfolioSummary(
        filters=filters,
        totals=totals,
        by_workflow_state=_in_workflow_order(_slices(rows, "workflow_state", known_workflow_states())),
        funnel=funnel(totals),
        by_theme=_by_theme(filters),
        by_applicant_type=_by_money(_slices(rows, "applicant_type", APPLICANT_TYPES)),
        by_us_state=_by_money(_slices(rows, "us_state", US_STATES)),
        metrics=metric_totals(filters),
    )
    summary.stories, summary.stories_total = _stories(filters, stories)
    summary.network = network_figures()
    return summary
