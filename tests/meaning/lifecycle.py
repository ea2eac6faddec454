"""One application's whole life through the operations (the functions the web
pages call), on whatever workflow and form version its round names: every move
is found by what the workflow declares, every answer by what the form declares.
Used by the v1/v2 side-by-side test and by the renamed-copy test."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from grantflow.applications.operations import start_application, submit_application
from grantflow.awards.letters import award_letter_kind, latest_sent_letter, send_award_letter
from grantflow.awards.operations import accept_award_offer, can_be_awarded
from grantflow.core import outbox
from grantflow.core.db import utcnow
from grantflow.core.workflow import meaning
from grantflow.demo import answers as demo_answers
from grantflow.awards.operations import award_for
from grantflow.core import formdefs
from grantflow.demo.seed import _award, _pay_due_tranches, _review
from grantflow.reporting.filing import store_answers, submit_report
from grantflow.demo.walk import make_staff_move, until_decidable
from grantflow.extensions import db
from grantflow.reporting import closeout as closeout_ops
from grantflow.reporting.grant import latest_closeout_letter
from grantflow.reporting.operations import accept_report, reports_for
from grantflow.reviews.assigning import assign_reviewers
from grantflow.reviews.models import ReviewAssignment
from grantflow.reviews.ranking import build_ranking
from tests import factories


def facts(title: str, start: date) -> dict:
    cents = 8_000_000
    return {
        "title": title, "title_lower": title.lower(), "themes": ["climate"], "partner_country": "Mexico",
        "partner_city": "Monterrey", "organisation": "City of Testville", "start": start.isoformat(),
        "end": (start + timedelta(days=364)).isoformat(), "today": date.today().isoformat(), "cents": cents,
        "travel_cents": cents * 40 // 100, "rest_cents": cents - cents * 40 // 100, "lead": "Dana Whitfield",
        "lead_job": "Director", "lead_mail": "dana@testville.example.org", "lead_tel": "515-555-0142",
        "representative": "Mayor Alex Romero", "college": "Testville Community College", "jobs": 12,
        "investment": 250_000, "hosted": 2, "sent": 1, "events": 4, "partnerships": 1, "engaged": 900,
    }


def _file_report(report, lead, rng, *, final: bool) -> None:
    """The report form filled from its questions' examples, against the targets
    the application set (found by their role, whatever the form calls them)."""
    targets = formdefs.answer(report.application, "targets") or {}
    share = 1.0 if final else 0.5
    award = award_for(report.application)
    spent = award.amount_cents if final else 1_500_000
    facts = {"achieved": {key: int(value * share * rng.uniform(0.8, 1.3)) for key, value in targets.items()},
             "award_total": award.amount_cents, "travel": spent * 40 // 100, "rest": spent - spent * 40 // 100}
    form = formdefs.load_form("reports", report.form_key, report.form_version)
    store_answers(report, demo_answers.from_examples(form, facts))
    submit_report(report, lead)


def stage(application) -> str:
    db.session.refresh(application)
    return meaning.stage_of(application)


def to_decision(round_, admin, *, title: str):
    """Submit, screen and review one application of ``round_`` until the panel
    is done; returns it and its applicant."""
    org = factories.create_organisation(name=f"Government of {title}")
    applicant = factories.create_user("applicant", organisation=org, name="Dana Whitfield")
    answers = demo_answers.from_examples(round_.application_form(), facts(title, date.today() + timedelta(days=30)))
    application = start_application(round_, org, applicant, answers)
    submit_application(application, applicant)
    assert stage(application) == "received" and application.submitted_at is not None
    make_staff_move(application, admin, into="checking")
    make_staff_move(application, admin, into="reviewing")
    outbox.commit()

    assign_reviewers(round_, admin, notify=False)
    outbox.commit()
    assigned = db.session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.application_id == application.id, ReviewAssignment.status == "active")).all()
    assert len(assigned) == round_.reviews_per_application
    _review(application, 4.6, random.Random(1), lambda when: None, utcnow())
    outbox.commit()
    assert stage(application) == "deciding"  # the last review closed the panel by itself
    ranking = build_ranking(round_)
    assert application.id in [row.application_id for row in ranking.rows]
    return application, applicant


def live_through(round_, admin, *, title: str):
    """Submit, screen, review, rank, award, offer (letter), accept, report,
    pay and close one application of ``round_``; returns it, closed."""
    application, applicant = to_decision(round_, admin, title=title)
    until_decidable(application, admin, can_be_awarded)
    _award(application, admin, date.today() - timedelta(days=400), 12)
    assert stage(application) == "selected"
    send_award_letter(application, admin)
    outbox.commit()  # the letter renders after the commit, then makes the offer
    assert stage(application) == "offered"
    assert latest_sent_letter(application, award_letter_kind(application)) is not None

    accept_award_offer(application, applicant, typed_name=applicant.name, ip_address="192.0.2.1")
    outbox.commit()
    assert stage(application) == "funded"
    _pay_due_tranches(application, admin)
    rng = random.Random(2)
    reports = sorted(reports_for(application), key=lambda r: r.due_on)
    for report in [r for r in reports if not r.is_final]:
        _file_report(report, applicant, rng, final=False)
        accept_report(report, admin, comment="Thank you.")
    _pay_due_tranches(application, admin)
    final = next(r for r in reports if r.is_final)
    _file_report(final, applicant, rng, final=True)
    outbox.commit()
    assert stage(application) == "funded"  # the final report is in: the grant waits for its review
    accept_report(final, admin, comment="Final report accepted.")
    outbox.commit()
    assert stage(application) == "closing"
    _pay_due_tranches(application, admin)
    closeout_ops.accept_financial_report(application, admin, comment="Reconciled.")
    closeout_ops.close_grant(application, admin, comment="All done.")
    outbox.commit()
    assert stage(application) == "completed"
    letter = latest_closeout_letter(application)
    assert letter is not None and letter.sent_at is not None
    return application
