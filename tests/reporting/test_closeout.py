"""The closeout checklist, the guards it feeds, and closing a grant."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from grantflow.awards.models import Letter
from grantflow.core.db import utcnow
from grantflow.core.models import AuditEvent, OutboxEmail
from grantflow.core.refusal import Refused
from grantflow.core.workflow import TransitionRefused, may
from grantflow.extensions import db
from grantflow.reporting import operations
from grantflow.reporting.closeout import (
    accept_financial_report, checklist, close_grant, record_unspent_funds,
)
from grantflow.reporting.payments import record_disbursement

from tests.factories_reporting import create_grant, mark_submitted, report_of

TARGETS = {"jobs_created": 12, "events_held": 4}
FULL_METRICS = {"jobs_created": 15, "events_held": 4, "residents_engaged": 800}


@pytest.fixture
def admin(f):
    return f.create_user("admin")


def in_closeout(admin, *, metrics=FULL_METRICS, targets=TARGETS, unspent_cents=0):
    application = create_grant(targets=targets)
    final = mark_submitted(report_of(application, "final"), metrics=metrics, spent_cents=10_000_000,
                           unspent_cents=unspent_cents)
    operations.accept_report(final, admin)
    assert application.state == "closeout"
    return application


def pay_all(application, admin, *, short_by=0):
    tranches = application.award.tranches
    for tranche in tranches:
        cents = tranche.amount_cents - (short_by if tranche is tranches[-1] else 0)
        record_disbursement(tranche, admin, amount_cents=cents, paid_on=date(2025, 6, 1), reference="R",
                            today=date(2026, 6, 1))


def done(application) -> dict:
    return {item.key: item.is_done for item in checklist(application)}


def test_start_closeout_needs_the_final_report_accepted(f, admin):
    application = create_grant()
    mark_submitted(report_of(application, "final"))
    decision = may(application, "start_closeout", admin)
    assert not decision and "once the final report is accepted" in decision.reason


def test_each_checklist_item_in_turn(f, admin):
    application = in_closeout(admin)
    assert done(application) == {"final_report": True, "financial_report": False, "payments": False,
                                 "metrics": True}
    decision = may(application, "close", admin)
    assert not decision
    assert "final financial report accepted" in decision.reason and "payments reconciled" in decision.reason
    accept_financial_report(application, admin)
    pay_all(application, admin, short_by=250_000)
    assert done(application)["payments"] is False
    item = next(i for i in checklist(application) if i.key == "payments")
    assert item.detail == ("$97,500.00 paid of $100,000.00 awarded; $2,500.00 is neither paid nor recorded as "
                           "unspent.")
    record_unspent_funds(application, admin, amount_cents=250_000, note="Travel came in under budget")
    assert all(done(application).values())
    assert may(application, "close", admin)


def test_metrics_are_incomplete_when_a_target_has_no_figure(f, admin):
    application = in_closeout(admin, metrics={"jobs_created": 3})
    item = next(i for i in checklist(application) if i.key == "metrics")
    assert not item.is_done and item.detail == "No figure reported for: Events held."


def test_no_targets_means_nothing_to_report_against(f, admin):
    application = in_closeout(admin, metrics={}, targets=None)
    assert done(application)["metrics"] is True


def test_closing_the_grant_renders_the_closeout_letter_and_makes_it_read_only(f, admin):
    application = in_closeout(admin)
    accept_financial_report(application, admin)
    pay_all(application, admin)
    db.session.commit()
    closed_at = utcnow()
    close_grant(application, admin, comment="Thank you for a model grant.")
    db.session.commit()  # the effect (the closeout letter) runs after the commit
    from grantflow.core import outbox

    outbox.run_ready()
    assert application.state == "closed"
    letter = db.session.scalar(select(Letter).where(Letter.application_id == application.id,
                                                    Letter.kind == "closeout"))
    assert letter is not None
    # one email for the event: the link to the closeout letter
    [email] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.created_at >= closed_at)).all()
    assert f"/letters/{letter.id}/download" in email.body_text
    with pytest.raises(Refused, match="closed"):
        record_unspent_funds(application, admin, amount_cents=0, note="x")
    with pytest.raises(Refused, match="closed"):
        record_disbursement(application.award.tranches[0], admin, amount_cents=1, paid_on=date(2025, 6, 1),
                            reference="R")


def test_closing_with_an_incomplete_checklist_is_refused_and_changes_nothing(f, admin):
    application = in_closeout(admin)
    with pytest.raises(TransitionRefused, match="closeout checklist is not complete"):
        close_grant(application, admin)
    assert application.state == "closeout"


@pytest.mark.parametrize("amount, note, field, message", [
    (None, "n", "amount", "Enter the unspent amount"),
    (-1, "n", "amount", "Enter the unspent amount"),
    (5_000_001, "n", "amount", "Only $50,000.00 of the award is unpaid"),
    (100, "  ", "note", "Say why the funds are unspent"),
])
def test_unspent_funds_input_is_checked(f, admin, amount, note, field, message):
    application = in_closeout(admin)
    tranche = application.award.tranches[0]
    record_disbursement(tranche, admin, amount_cents=tranche.amount_cents, paid_on=date(2025, 6, 1),
                        reference="R", today=date(2026, 6, 1))
    with pytest.raises(Refused, match=re.escape(message)) as refused:
        record_unspent_funds(application, admin, amount_cents=amount, note=note)
    assert refused.value.field == field


def test_closeout_actions_wait_for_the_closeout(f, admin):
    application = create_grant()
    with pytest.raises(Refused, match="once the final report is accepted"):
        accept_financial_report(application, admin)


def test_the_financial_report_is_accepted_once(f, admin):
    application = in_closeout(admin)
    accept_financial_report(application, admin)
    with pytest.raises(Refused, match="already accepted"):
        accept_financial_report(application, admin)


def test_no_payment_beyond_the_spending_the_final_report_declares(f, admin):
    application = in_closeout(admin, unspent_cents=75_000)
    accept_financial_report(application, admin)
    with pytest.raises(Refused, match=re.escape("less the $750.00 the final report declares unspent")):
        pay_all(application, admin)
    db.session.rollback()


def test_a_grant_paid_beyond_its_declared_spending_closes_only_once_the_warning_is_confirmed(f, admin):
    application = in_closeout(admin)
    accept_financial_report(application, admin)
    pay_all(application, admin)                              # paid in full before the declaration was corrected
    report_of(application, "final").unspent_cents = 75_000
    assert all(done(application).values())
    with pytest.raises(Refused, match="confirm that you close the grant anyway") as refused:
        close_grant(application, admin)
    assert refused.value.field == "acknowledged" and application.state == "closeout"
    close_grant(application, admin, acknowledged=True)
    assert application.state == "closed"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "workflow.close"))
    assert "$750.00 was paid beyond what was spent" in event.comment


def test_a_closed_grant_lists_its_unfiled_reports_as_no_longer_required(f, admin, client, login_as):
    application = create_grant(period_start=date(2025, 1, 1), period_end=date(2026, 6, 30), state="closed")
    login_as(admin)
    page = client.get(f"/reporting/grants/{application.id}").get_data(as_text=True)
    row = page.split("Interim report 2")[1].split("</tr>")[0]
    assert "Not required: the grant is closed" in row
    assert "Not started" not in row and "Overdue" not in row
