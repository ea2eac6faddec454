"""Payment arithmetic: totals against the award, and over-payment refused."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from grantflow.core.models import AuditEvent
from grantflow.core.refusal import Refused
from grantflow.extensions import db
from grantflow.reporting import operations
from grantflow.reporting.payments import payment_summary, record_disbursement

from tests.factories_reporting import create_grant, mark_submitted, report_of

TODAY = date(2025, 8, 1)


@pytest.fixture
def admin(f):
    return f.create_user("admin")


def pay(tranche, admin, cents, *, on=date(2025, 7, 15), reference="ASAP-1"):
    return record_disbursement(tranche, admin, amount_cents=cents, paid_on=on, reference=reference, today=TODAY)


def release_all(application, admin):
    operations.accept_report(mark_submitted(report_of(application)), admin)
    operations.accept_report(mark_submitted(report_of(application, "final")), admin)


@pytest.mark.parametrize("award, payments, paid, outstanding, statuses", [
    # $100,000 in 50/40/10 tranches
    (10_000_000, [(0, 5_000_000)], 5_000_000, 5_000_000, ["paid", "due", "due"]),
    (10_000_000, [(0, 2_500_000), (0, 2_500_000)], 5_000_000, 5_000_000, ["paid", "due", "due"]),
    (10_000_000, [(0, 4_999_999)], 4_999_999, 5_000_001, ["due", "due", "due"]),
    (10_000_000, [(0, 5_000_000), (1, 4_000_000), (2, 1_000_000)], 10_000_000, 0, ["paid", "paid", "paid"]),
    # $33,333.33: the cents split exactly (largest remainder), and paying every tranche in full reconciles
    (3_333_333, [(0, 1_666_667), (1, 1_333_333), (2, 333_333)], 3_333_333, 0, ["paid", "paid", "paid"]),
])
def test_totals_paid_against_awarded(f, admin, award, payments, paid, outstanding, statuses):
    application = create_grant(amount_cents=award)
    release_all(application, admin)
    tranches = application.award.tranches
    for index, cents in payments:
        pay(tranches[index], admin, cents)
    summary = payment_summary(application)
    assert (summary.awarded_cents, summary.paid_cents, summary.outstanding_cents) == (award, paid, outstanding)
    assert summary.is_reconciled == (outstanding == 0)
    assert [t.status for t in tranches] == statuses
    assert sum(line.paid_cents for line in summary.lines) == paid


def test_paying_more_than_the_tranche_is_refused_next_to_the_amount(f, admin):
    application = create_grant()
    first = application.award.tranches[0]
    pay(first, admin, 3_000_000)
    with pytest.raises(Refused) as refused:
        pay(first, admin, 2_000_001)
    assert refused.value.field == "amount"
    assert str(refused.value) == ("That is more than the $20,000.00 still to pay on “First payment” "
                                  "($50,000.00, $30,000.00 paid).")
    assert payment_summary(application).paid_cents == 3_000_000


def test_paying_a_tranche_that_is_not_due_is_refused(f, admin):
    application = create_grant()
    with pytest.raises(Refused, match="“Second payment” is not due yet"):
        pay(application.award.tranches[1], admin, 100)


def test_no_payment_beyond_the_award_less_unspent_funds(f, admin):
    from grantflow.reporting.closeout import record_unspent_funds

    application = create_grant()
    release_all(application, admin)
    tranches = application.award.tranches
    pay(tranches[0], admin, 5_000_000)
    pay(tranches[1], admin, 4_000_000)
    record_unspent_funds(application, admin, amount_cents=600_000, note="Not drawn down")
    with pytest.raises(Refused) as refused:
        pay(tranches[2], admin, 400_001)
    assert str(refused.value) == ("That would take payments to $94,000.01, beyond the award of $100,000.00 "
                                  "less $6,000.00 recorded as unspent: at most $4,000.00 can still be paid.")
    pay(tranches[2], admin, 400_000)
    assert payment_summary(application).is_reconciled


@pytest.mark.parametrize("amount, paid_on, reference, field, message", [
    (0, date(2025, 7, 1), "R1", "amount", "greater than $0.00"),
    (-5, date(2025, 7, 1), "R1", "amount", "greater than $0.00"),
    (None, date(2025, 7, 1), "R1", "amount", "greater than $0.00"),
    (100, None, "R1", "paid_on", "Enter the date"),
    (100, date(2025, 8, 2), "R1", "paid_on", "cannot be in the future"),
    (100, date(2025, 7, 1), "  ", "reference", "payment reference"),
])
def test_bad_payment_input_names_the_field(f, admin, amount, paid_on, reference, field, message):
    application = create_grant()
    with pytest.raises(Refused, match=re.escape(message)) as refused:
        record_disbursement(application.award.tranches[0], admin, amount_cents=amount, paid_on=paid_on,
                            reference=reference, today=TODAY)
    assert refused.value.field == field


def test_payments_are_audited_and_shown_to_the_grantee(f, admin):
    application = create_grant()
    pay(application.award.tranches[0], admin, 5_000_000, reference="ASAP-778")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.recorded"))
    assert event.is_visible_to_applicant
    assert event.comment == "Payment of $50,000.00 made on July 15, 2025 (First payment, reference ASAP-778)."


def test_no_payments_on_a_closed_grant(f, admin):
    application = create_grant(state="closed")
    with pytest.raises(Refused, match="closed"):
        pay(application.award.tranches[0], admin, 100)


def test_only_staff_record_payments(f):
    application = create_grant()
    with pytest.raises(Refused, match="Only fund staff"):
        pay(application.award.tranches[0], application.organisation.members[0], 100)
