"""Scenarios for workflow tests: an application with the five kinds of actor,
and helpers that satisfy each guard named in the real workflow YAML.

Other domains add guards to ``workflows/*.yaml`` (award terms recorded, award
letter ready, final report accepted, ...). The tests run the real YAML, so each
guard needs a helper here that builds what it checks; a guard without one
fails the tests with a message saying so."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count

import pytest
from werkzeug.security import generate_password_hash

from grantflow.core.db import utcnow
from grantflow.core.workflow.engine import definition_for
from grantflow.extensions import db
from grantflow.users.models import User

from tests import factories

#: the actors of the authorisation table
ROLES = ("member", "other_applicant", "reviewer", "admin", "system")


@dataclass
class Cast:
    application: object
    member: object
    other_applicant: object
    reviewer: object
    admin: object

    def actor(self, role: str):
        return None if role == "system" else getattr(self, role)


_hashes: dict[str, str] = {}
_numbers = count(1)


def quick_user(*roles: str, organisation=None):
    """``factories.create_user`` with the password hash computed once per run:
    scrypt costs ~0.1 s per user, which adds up over hundreds of table rows.
    The user can still sign in with ``factories.PASSWORD``."""
    if factories.PASSWORD not in _hashes:
        _hashes[factories.PASSWORD] = generate_password_hash(factories.PASSWORD)
    n = next(_numbers)
    user = User(email=f"wf-user{n}@example.gov", name=f"Workflow Tester {n}", organisation=organisation,
                password_hash=_hashes[factories.PASSWORD])
    for role in roles:
        user.grant_role(role)
    db.session.add(user)
    db.session.flush()
    return user


def make_cast(workflow_key: str = "local_to_global", state: str = "draft", **application_fields) -> Cast:
    round_ = factories.create_round(workflow_key=workflow_key)
    organisation = factories.create_organisation()
    member = quick_user("applicant", organisation=organisation)
    application = factories.create_application(round_, organisation, state=state, created_by=member,
                                               **application_fields)
    return Cast(application=application, member=member,
                other_applicant=quick_user("applicant", organisation=factories.create_organisation()),
                reviewer=quick_user("reviewer"), admin=quick_user("admin"))


# ---- one helper per guard: make the guard pass for this application -------------------------

def _nothing_to_do(cast: Cast) -> None:
    """The factories already satisfy it (an open round, complete answers)."""


def _record_award_terms(cast: Cast) -> None:
    from grantflow.awards.models import Award

    if db.session.query(Award.id).filter_by(application_id=cast.application.id).first():
        return
    from tests.factories_reporting import create_award

    create_award(cast.application, amount_cents=cast.application.amount_requested_cents or 5_000_000,
                 period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))


def _render_award_letter(cast: Cast) -> None:
    from grantflow.awards.models import Letter

    _record_award_terms(cast)
    if db.session.query(Letter.id).filter_by(application_id=cast.application.id, kind="award").first():
        return
    # a rendered letter as the awards job leaves it (the file itself is not read by the workflow)
    db.session.add(Letter(application_id=cast.application.id, kind="award", version=1, template_name="award",
                          file_path=f"test/award-{cast.application.id}.pdf", sha256="0" * 64, size_bytes=1,
                          rendered_at=utcnow()))
    db.session.flush()


def _accept_final_report(cast: Cast) -> None:
    """Award terms, the report schedule, and the final report accepted with a
    figure for every target (rows as the reporting domain leaves them, written
    directly so that the application's state is not moved)."""
    from grantflow.reporting.metrics import targets_for
    from grantflow.reporting.operations import final_report_for, schedule_reports

    _record_award_terms(cast)
    application = cast.application
    final = final_report_for(application)
    if final is None:
        schedule_reports(application, cast.admin, period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))
        final = final_report_for(application)
    if final.state != "accepted":
        now = utcnow()
        final.metrics = {key: value for key, value in targets_for(application).items()}
        final.spent_cents, final.unspent_cents = 0, 0
        final.state, final.submitted_at, final.reviewed_at = "accepted", final.submitted_at or now, now
        final.reviewed_by_id = cast.admin.id
    db.session.flush()


def _file_final_report(cast: Cast) -> None:
    """The grantee has submitted the final report (not yet reviewed)."""
    from grantflow.reporting.metrics import targets_for
    from grantflow.reporting.operations import final_report_for, schedule_reports

    _record_award_terms(cast)
    application = cast.application
    if final_report_for(application) is None:
        schedule_reports(application, cast.admin, period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))
    final = final_report_for(application)
    if final.state == "open":
        final.metrics = dict(targets_for(application))
        final.spent_cents, final.unspent_cents = 0, 0
        final.state, final.submitted_at, final.submitted_by_id = "submitted", utcnow(), cast.member.id
    db.session.flush()


def _complete_closeout(cast: Cast) -> None:
    """Everything on the closeout checklist: final report and financial report
    accepted, payments reconciled (the unpaid rest recorded as unspent)."""
    from grantflow.reporting.closeout import closeout_for
    from grantflow.reporting.payments import payment_summary

    _accept_final_report(cast)
    closeout = closeout_for(cast.application, create=True)
    now = utcnow()
    if closeout.financial_report_accepted_at is None:
        closeout.financial_report_accepted_at, closeout.financial_report_accepted_by_id = now, cast.admin.id
    if closeout.unspent_cents is None:
        db.session.flush()
        summary = payment_summary(cast.application)
        closeout.unspent_cents = summary.awarded_cents - summary.paid_cents
        closeout.unspent_note, closeout.unspent_recorded_at = "Not paid (test scenario).", now
        closeout.unspent_recorded_by_id = cast.admin.id
    db.session.flush()


def _submit_reviews(cast: Cast) -> None:
    """The cast's reviewer assigned to the application with a submitted review."""
    from sqlalchemy import select

    from grantflow.reviews.models import ReviewAssignment
    from tests.factories_reviews import create_assignment, create_review

    assignment = db.session.scalar(select(ReviewAssignment).where(
        ReviewAssignment.application_id == cast.application.id, ReviewAssignment.reviewer_id == cast.reviewer.id))
    if assignment is None:
        assignment = create_assignment(cast.application, cast.reviewer)
    if assignment.review is None:
        create_review(assignment)


GUARD_SATISFIERS = {
    "all_reviews_submitted": _submit_reviews,
    "round_open": _nothing_to_do,
    "answers_complete": _nothing_to_do,
    "award_terms_recorded": _record_award_terms,
    "award_letter_ready": _render_award_letter,
    "final_report_filed": _file_final_report,
    "final_report_accepted": _accept_final_report,
    "closeout_checklist_complete": _complete_closeout,
}


def satisfy_guards(cast: Cast, trigger: str) -> None:
    """Build what the guards of ``trigger`` from the current state check."""
    transition = definition_for(cast.application).transition(cast.application.state, trigger)
    if transition is None:
        return
    for name in transition.guards:
        helper = GUARD_SATISFIERS.get(name)
        if helper is None:
            pytest.fail(f"guard '{name}' (on '{trigger}') has no scenario helper: add one to "
                        "GUARD_SATISFIERS in tests/workflow/scenarios.py")
        helper(cast)


def comment_for(cast: Cast, trigger: str) -> str | None:
    transition = definition_for(cast.application).transition(cast.application.state, trigger)
    return "Recorded by the test." if transition is not None and transition.comment_required else None
