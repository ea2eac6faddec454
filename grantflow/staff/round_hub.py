"""What a round's hub page shows: its counts per state, the money committed,
and what needs doing next. Every count is found through the stages the
workflow declares (``core.workflow.meaning``), never through a state name, so a
round on any workflow version gets the same hub."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from sqlalchemy import func, select

from ..applications.models import Application
from ..awards.models import Award
from ..core.db import utcnow
from ..core.workflow import get_definition, meaning
from ..extensions import db
from ..reporting.models import Report
from ..reviews.models import Review, ReviewAssignment

#: money is committed once the fund has chosen the application
COMMITTED_STAGES = ("selected", "offered", *meaning.GRANT_STAGES)
#: a report falling due within this many days is on the to-do list
REPORTS_SOON_DAYS = 14


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    stage: str
    count: int
    url: str


@dataclass(frozen=True)
class Todo:
    label: str
    count: int
    url: str
    hint: str


def state_counts(round_) -> list[StateCount]:
    """Every state of the round's workflow in the workflow's order, with its staff label and count."""
    definition = get_definition(round_.workflow_key, round_.workflow_version)
    counts = dict(db.session.execute(select(Application.state, func.count()).where(
        Application.round_id == round_.id).group_by(Application.state)).all())
    return [StateCount(name, state.label, state.stage, counts.get(name, 0),
                       url_for("staff.applications", round=round_.id, state=name))
            for name, state in definition.states.items()]


def committed_cents(round_) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Award.amount_cents), 0)).join(
        Application, Application.id == Award.application_id).where(
        Application.round_id == round_.id, meaning.in_stages(Application, *COMMITTED_STAGES))) or 0


def _in_stage(counts: list[StateCount], *stages: str) -> tuple[int, str | None]:
    """How many are in these stages, and the list of the first such state with any."""
    found = [c for c in counts if c.stage in stages]
    return sum(c.count for c in found), next((c.url for c in found if c.count), None)


def _short_of_reviewers(round_) -> int:
    active = (select(ReviewAssignment.application_id, func.count().label("n"))
              .where(ReviewAssignment.round_id == round_.id, ReviewAssignment.status == "active")
              .group_by(ReviewAssignment.application_id).subquery())
    return db.session.scalar(select(func.count()).select_from(Application)
                             .outerjoin(active, active.c.application_id == Application.id)
                             .where(Application.round_id == round_.id,
                                    meaning.in_stages(Application, "reviewing"),
                                    func.coalesce(active.c.n, 0) < round_.reviews_per_application)) or 0


def _overdue_reviews(round_) -> int:
    if round_.review_due_at is None or round_.review_due_at > utcnow():
        return 0
    submitted = select(Review.assignment_id).where(Review.status == "submitted")
    return db.session.scalar(select(func.count()).select_from(ReviewAssignment).join(
        Application, Application.id == ReviewAssignment.application_id).where(
        ReviewAssignment.round_id == round_.id, ReviewAssignment.status == "active",
        ReviewAssignment.id.not_in(submitted), meaning.in_stages(Application, "reviewing"))) or 0


def _reports(round_, *states: str, due_by=None) -> int:
    query = select(func.count()).select_from(Report).join(Application, Application.id == Report.application_id) \
        .where(Application.round_id == round_.id, Report.state.in_(states))
    if due_by is not None:
        query = query.where(Report.due_on <= due_by)
    return db.session.scalar(query) or 0


def todos(round_, counts: list[StateCount]) -> list[Todo]:
    """The administrator's next steps in the round, in the order of the process; only those with work."""
    applications = lambda **args: url_for("staff.applications", round=round_.id, **args)  # noqa: E731
    assignments = url_for("reviews.assignments", round_id=round_.id)
    ranking = url_for("reviews.ranking", round_id=round_.id)
    reports = url_for("reporting.overview")
    items = []

    def add(label, count, url, hint):
        if count:
            items.append(Todo(label, count, url or applications(), hint))

    add("To screen", *_in_stage(counts, "received"), "Submitted applications waiting for eligibility screening.")
    add("In screening", *_in_stage(counts, "checking"), "Being screened, or waiting for information from the "
        "applicant.")
    add("To assign", _short_of_reviewers(round_), assignments + "?missing=1",
        "Applications in review with fewer reviewers than the round asks for.")
    add("Reviews overdue", _overdue_reviews(round_), assignments, "Reviews not submitted by the review due date.")
    add("Decisions", _in_stage(counts, "deciding")[0], ranking, "Reviews are in: decide from the ranking.")
    add("Award letters to send", *_in_stage(counts, "selected"), "Award terms recorded: send the letter.")
    add("Offers awaiting an answer", *_in_stage(counts, "offered"), "The applicant accepts or declines.")
    add("Reports to review", _reports(round_, "submitted"), reports, "Submitted reports waiting for your review.")
    add("Reports due", _reports(round_, "open", "changes_requested",
                                due_by=utcnow().date() + timedelta(days=REPORTS_SOON_DAYS)), reports,
        f"Not yet submitted and due within {REPORTS_SOON_DAYS} days, or overdue.")
    add("Closeouts", *_in_stage(counts, "closing"), "Grants whose closeout checklist is still open.")
    return items
