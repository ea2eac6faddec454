"""The administrators' reads: applications with their state and scores, awards,
payments and reports, each as a select (first column: the row's entity, for
the cursor) and a function turning a row into the API's dict."""
from __future__ import annotations

import sqlalchemy as sa

from ..applications.models import Application, reference_for
from ..awards.models import Award, PaymentTranche
from ..core.workflow.engine import definitions
from ..extensions import db
from ..organisations.models import Organisation
from ..reporting.models import Report
from ..reviews.calibration_store import fit_round, stale_rounds
from ..reviews.models import CalibratedScore, Review
from .problems import ApiError


def known_state(state: str) -> None:
    """A state filter must name a state of some loaded workflow (a typo is a 400, not an empty list)."""
    if not any(state in d.states for d in definitions()):
        raise ApiError(400, f"No workflow has a state named {state!r}.",
                       invalid_params=[{"name": "state", "reason": "unknown workflow state"}])


def applications_select(*, round_id: int | None, state: str | None):
    query = sa.select(Application, Organisation.name).join(Organisation,
                                                           Application.organisation_id == Organisation.id)
    if round_id is not None:
        query = query.where(Application.round_id == round_id)
    if state is not None:
        known_state(state)
        query = query.where(Application.state == state)
    return query


def _scores(applications: list[Application]) -> dict[int, dict]:
    """Raw (mean of submitted reviews) and calibrated scores for a page of applications (two queries)."""
    ids = [a.id for a in applications]
    raw = {row.application_id: row for row in db.session.execute(
        sa.select(Review.application_id, sa.func.count(Review.id).label("n"),
                  sa.func.avg(Review.weighted_score).label("mean"))
        .where(Review.application_id.in_(ids), Review.status == "submitted").group_by(Review.application_id))}
    stored = dict(db.session.execute(sa.select(CalibratedScore.application_id, CalibratedScore.merit)
                                     .where(CalibratedScore.application_id.in_(ids))).all())
    # a round whose stored fit is out of date is fitted afresh (never a stale score)
    stale = stale_rounds(sorted({a.round_id for a in applications}))
    fresh = {round_id: fit_round(applications_round(applications, round_id)).merits for round_id in stale}
    scores = {}
    for a in applications:
        row = raw.get(a.id)
        calibrated = fresh[a.round_id].get(a.id) if a.round_id in fresh else stored.get(a.id)
        scores[a.id] = {"reviews_submitted": row.n if row else 0,
                        "raw_mean": round(float(row.mean), 2) if row and row.mean is not None else None,
                        "calibrated": round(float(calibrated), 2) if calibrated is not None else None}
    return scores


def applications_round(applications, round_id):
    return next(a.round for a in applications if a.round_id == round_id)


def application_rows(rows) -> list[dict]:
    applications = [row[0] for row in rows]
    scores = _scores(applications) if applications else {}
    result = []
    for application, organisation_name in rows:
        definition = application.workflow
        result.append({
            "id": application.id, "reference": reference_for(application.id), "round_id": application.round_id,
            "organisation_id": application.organisation_id, "organisation": organisation_name,
            "title": application.title, "state": application.state,
            "state_label": definition.state(application.state).label,
            "stage": definition.stage_of(application.state),
            "amount_requested_cents": application.amount_requested_cents,
            "submitted_at": application.submitted_at, "decided_at": application.decided_at,
            "scores": scores[application.id]})
    return result


def awards_select(*, round_id: int | None, accepted: str | None):
    query = (sa.select(Award).join(Application, Award.application_id == Application.id)
             .options(sa.orm.selectinload(Award.tranches)))
    if round_id is not None:
        query = query.where(Application.round_id == round_id)
    if accepted == "true":
        query = query.where(Award.accepted_at.is_not(None))
    elif accepted == "false":
        query = query.where(Award.accepted_at.is_(None))
    return query


def award_row(award: Award) -> dict:
    return {"id": award.id, "application_id": award.application_id, "award_number": award.award_number,
            "amount_cents": award.amount_cents, "paid_cents": award.paid_cents,
            "period_start": award.period_start, "period_end": award.period_end, "accepted_at": award.accepted_at}


def payments_select(*, round_id: int | None, status: str | None):
    query = sa.select(PaymentTranche, Award.application_id).join(Award, PaymentTranche.award_id == Award.id)
    if round_id is not None:
        query = query.join(Application, Award.application_id == Application.id).where(
            Application.round_id == round_id)
    if status is not None:
        query = query.where(PaymentTranche.status == status)
    return query


def payment_row(tranche: PaymentTranche, application_id: int) -> dict:
    return {"id": tranche.id, "award_id": tranche.award_id, "application_id": application_id,
            "sequence": tranche.sequence, "label": tranche.label, "release_on": tranche.release_on,
            "amount_cents": tranche.amount_cents, "due_date": tranche.due_date, "status": tranche.status,
            "released_at": tranche.released_at, "paid_at": tranche.paid_at}


def reports_select(*, round_id: int | None, state: str | None):
    query = sa.select(Report)
    if round_id is not None:
        query = query.join(Application, Report.application_id == Application.id).where(
            Application.round_id == round_id)
    if state is not None:
        query = query.where(Report.state == state)
    return query


def report_row(report: Report) -> dict:
    return {"id": report.id, "application_id": report.application_id, "kind": report.kind,
            "sequence": report.sequence, "title": report.title, "state": report.state, "due_on": report.due_on,
            "submitted_at": report.submitted_at, "reviewed_at": report.reviewed_at}
