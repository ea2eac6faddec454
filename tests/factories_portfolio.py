"""Factories for portfolio tests: applications with every domain's facts attached
(reviews, award, payments, reports), built directly from the models so a test
states its figures plainly and can compare every export with them."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from itertools import count

from grantflow.applications.models import Application
from grantflow.awards.models import Award, PaymentTranche
from grantflow.extensions import db
from grantflow.reporting.models import Disbursement, Report
from grantflow.reviews.models import Review, ReviewAssignment
from tests import factories as f

_seq = count(1)
DECIDED = datetime(2025, 3, 14, 16, 0, tzinfo=timezone.utc)
SUBMITTED = datetime(2025, 1, 20, 10, 0, tzinfo=timezone.utc)


def create_review(application, reviewer, score: float) -> Review:
    assignment = ReviewAssignment(round_id=application.round_id, application_id=application.id,
                                  reviewer_id=reviewer.id, status="active", coi_status="none",
                                  coi_declared_at=SUBMITTED)
    db.session.add(assignment)
    db.session.flush()
    review = Review(assignment_id=assignment.id, application_id=application.id, reviewer_id=reviewer.id,
                    rubric_key="local_to_global", rubric_version=1, scores={}, status="submitted",
                    weighted_score=score, recommendation="fund", submitted_at=SUBMITTED)
    db.session.add(review)
    db.session.flush()
    return review


def create_award(application, amount_cents: int, *, paid: tuple[int, ...] = (),
                 period=(date(2025, 4, 1), date(2026, 3, 31))) -> Award:
    award = Award(application_id=application.id, award_number=f"PORT-{next(_seq):05d}",
                  amount_cents=amount_cents, period_start=period[0], period_end=period[1],
                  accepted_name="Pat Representative" if paid else None,
                  accepted_at=DECIDED + timedelta(days=5) if paid else None)
    db.session.add(award)
    db.session.flush()
    for index, cents in enumerate(paid):
        tranche = PaymentTranche(award_id=award.id, sequence=index + 1, label=f"Payment {index + 1}",
                                 release_on="acceptance" if index == 0 else "interim_report",
                                 percent=50, amount_cents=cents, status="paid",
                                 released_at=DECIDED, paid_at=DECIDED + timedelta(days=30 * (index + 1)))
        db.session.add(tranche)
        db.session.flush()
        db.session.add(Disbursement(application_id=application.id, tranche_id=tranche.id, amount_cents=cents,
                                    paid_on=date(2025, 5, 1) + timedelta(days=30 * index),
                                    reference=f"PAY-{next(_seq)}"))
    db.session.flush()
    return award


def create_report(application, metrics: dict, *, state: str = "accepted", story: str | None = None,
                  consent: bool = False, kind: str = "interim", period_end: date = date(2025, 9, 30)) -> Report:
    report = Report(application_id=application.id, kind=kind, sequence=next(_seq), title="Interim report",
                    period_start=date(2025, 4, 1), period_end=period_end, due_on=period_end + timedelta(days=30),
                    original_due_on=period_end + timedelta(days=30), state=state, form_key="interim",
                    answers={"metrics": metrics}, metrics=metrics, success_story=story,
                    is_story_publishable=consent, submitted_at=DECIDED + timedelta(days=200),
                    reviewed_at=DECIDED + timedelta(days=210) if state == "accepted" else None)
    db.session.add(report)
    db.session.flush()
    return report


def create_case(round_=None, *, state: str = "active", requested: int = 10_000_000, awarded: int | None = None,
                paid: tuple[int, ...] = (), themes=("climate",), organisation=None, targets: dict | None = None,
                title: str | None = None) -> Application:
    """One application in ``state``; with ``awarded`` an award (and ``paid`` disbursements)."""
    application = f.create_application(round_, organisation, state=state, amount_requested_cents=requested,
                                       themes=list(themes), title=title or f"Project {next(_seq)}",
                                       answers={"metric_targets": targets or {},
                                                "project_summary": "Sister-city exchange on flood resilience."})
    if state != "draft":
        application.submitted_at = SUBMITTED
    if awarded is not None or state in ("declined", "ineligible"):
        application.decided_at = DECIDED
    if awarded is not None:
        create_award(application, awarded, paid=paid)
    db.session.flush()
    return application


def create_portfolio():
    """A small portfolio with known figures (see PORTFOLIO_FIGURES)."""
    fund = f.create_fund(slug="l2g", name="Local-to-Global Engagement Fund", funder_identifier="US-GOV-OCSD")
    round_ = f.create_round(fund, name="Spring 2025")
    iowa = f.create_organisation(name="City of Des Moines", state="IA", applicant_type="C", uei="ABCDEFGH1234")
    texas = f.create_organisation(name="El Paso County", state="TX", applicant_type="B", ein="74-6000000")
    guam = f.create_organisation(name="Government of Guam", state="GU", applicant_type="F")
    reviewer = f.create_user("reviewer", name="Rita Reviewer")
    a = create_case(round_, state="active", requested=10_000_000, awarded=8_000_000, paid=(4_000_000,),
                    themes=("climate", "trade_investment"), organisation=iowa,
                    targets={"jobs_created": 20, "events_held": 4})
    create_review(a, reviewer, 82.5)
    create_report(a, {"jobs_created": 5, "events_held": 1}, story="Forty residents joined a trade mission.",
                  consent=True)
    create_report(a, {"jobs_created": 9, "events_held": 3}, period_end=date(2026, 3, 31), story="Unconsented story.",
                  consent=False)
    b = create_case(round_, state="closed", requested=5_000_000, awarded=5_000_000,
                    paid=(2_500_000, 2_500_000), themes=("migration",), organisation=texas,
                    targets={"jobs_created": 10})
    create_review(b, reviewer, 74.0)
    create_report(b, {"jobs_created": 12}, kind="final")
    c = create_case(round_, state="declined", requested=20_000_000, themes=("climate",), organisation=guam)
    create_review(c, reviewer, 40.0)
    d = create_case(round_, state="offer_declined", requested=3_000_000, awarded=3_000_000, organisation=guam)
    e = create_case(round_, state="draft", requested=1_000_000, organisation=iowa)
    db.session.flush()
    return {"fund": fund, "round": round_, "reviewer": reviewer, "apps": [a, b, c, d, e]}


#: what create_portfolio() holds: grants are a and b (d declined its offer)
PORTFOLIO_FIGURES = {
    "applications": 5,
    "submitted": 4,
    "grants": 2,
    "requested_submitted_cents": 10_000_000 + 5_000_000 + 20_000_000 + 3_000_000,
    "requested_all_cents": 39_000_000,
    "awarded_cents": 13_000_000,
    "paid_cents": 9_000_000,
}
