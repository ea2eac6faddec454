"""Staff pages: review, schedule changes, payments, closeout and the dashboard panel."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from grantflow.core.db import utcnow
from grantflow.extensions import db
from grantflow.reporting import operations
from grantflow.reporting.payments import payment_summary

from tests.factories_reporting import create_grant, mark_submitted, report_of


@pytest.fixture
def admin(f, login_as):
    user = f.create_user("admin")
    login_as(user)
    return user


def test_staff_accept_a_report_from_its_page(client, admin):
    application = create_grant()
    report = mark_submitted(report_of(application))
    db.session.commit()
    page = client.get(f"/reporting/reports/{report.id}").get_data(as_text=True)
    assert "Accept the report" in page
    response = client.post(f"/reporting/reports/{report.id}/review", data={"decision": "accept", "comment": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert report_of(application).state == "accepted"


def test_asking_for_changes_without_a_comment_is_refused_next_to_the_field(client, admin):
    application = create_grant()
    report = mark_submitted(report_of(application))
    db.session.commit()
    response = client.post(f"/reporting/reports/{report.id}/review", data={"decision": "changes", "comment": ""})
    assert response.status_code == 422
    assert 'id="comment-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert report_of(application).state == "submitted"


def test_moving_a_due_date_needs_a_reason(client, admin):
    application = create_grant()
    report = report_of(application)
    db.session.commit()
    url = f"/reporting/reports/{report.id}/due-date"
    assert client.get(url).status_code == 200
    refused = client.post(url, data={"due_on": "2025-08-01", "reason": ""})
    assert refused.status_code == 422 and "Give a reason" in refused.get_data(as_text=True)
    assert client.post(url, data={"due_on": "2025-08-01", "reason": "Elections"}).status_code == 302
    db.session.expire_all()
    assert report_of(application).due_on == date(2025, 8, 1)


def test_adding_a_report_from_the_grant_page(client, admin):
    application = create_grant()
    db.session.commit()
    response = client.post(f"/reporting/grants/{application.id}/reports/new",
                           data={"title": "Trade mission report", "due_on": "2025-10-01", "reason": "Mission"})
    assert response.status_code == 302
    assert "Trade mission report" in client.get(f"/reporting/grants/{application.id}").get_data(as_text=True)


def test_over_payment_is_refused_with_the_message_next_to_the_amount(client, admin):
    application = create_grant()
    tranche = application.award.tranches[0]
    db.session.commit()
    url = f"/reporting/grants/{application.id}/payments"
    assert client.get(url).status_code == 200
    today = utcnow().date().isoformat()
    refused = client.post(url, data={"tranche_id": tranche.id, "amount": "50,000.01", "paid_on": today,
                                     "reference": "ASAP-1"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="amount-error"' in page and "more than the $50,000.00 still to pay" in page
    assert 'value="50,000.01"' in page  # what was typed is kept
    paid = client.post(url, data={"tranche_id": tranche.id, "amount": "50000", "paid_on": today,
                                  "reference": "ASAP-1"})
    assert paid.status_code == 302
    db.session.expire_all()
    assert payment_summary(application).paid_cents == 5_000_000


def test_the_grantee_sees_the_payment_history(f, client, login_as):
    application = create_grant()
    admin = f.create_user("admin")
    from grantflow.reporting.payments import record_disbursement

    record_disbursement(application.award.tranches[0], admin, amount_cents=5_000_000,
                        paid_on=utcnow().date(), reference="ASAP-42")
    login_as(application.organisation.members[0])
    page = client.get(f"/reporting/grants/{application.id}").get_data(as_text=True)
    assert "ASAP-42" in page and "$50,000.00" in page
    assert client.get(f"/reporting/grants/{application.id}/payments").status_code == 403


def test_closeout_page_walks_the_checklist_to_closed(client, admin):
    application = create_grant(targets={"jobs_created": 5})
    final = mark_submitted(report_of(application, "final"), metrics={"jobs_created": 6}, spent_cents=9_000_000,
                           unspent_cents=1_000_000)
    operations.accept_report(final, admin)
    from grantflow.reporting.payments import record_disbursement

    for tranche in application.award.tranches[:2]:
        record_disbursement(tranche, admin, amount_cents=tranche.amount_cents, paid_on=utcnow().date(),
                            reference="R")
    db.session.commit()
    url = f"/reporting/grants/{application.id}/closeout"
    page = client.get(url).get_data(as_text=True)
    assert 'value="10000"' in page  # the unspent funds the grantee reported, ready to confirm
    refused = client.post(url, data={"action": "closing", "closing-comment": ""})
    assert refused.status_code == 422 and "closeout checklist is not complete" in refused.get_data(as_text=True)
    assert client.post(url, data={"action": "financial", "financial-comment": ""}).status_code == 302
    assert client.post(url, data={"action": "unspent", "unspent-amount": "10000",
                                  "unspent-note": "Not drawn down"}).status_code == 302
    assert client.post(url, data={"action": "closing", "closing-comment": "Well done"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(application), application.id).state == "closed"
    assert "closed and read-only" in client.get(url).get_data(as_text=True)


def test_the_dashboard_lists_overdue_reports(client, admin):
    application = create_grant(period_start=utcnow().date() - timedelta(days=220),
                               period_end=utcnow().date() + timedelta(days=200))
    db.session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    assert "Reports needing attention" in page and "Overdue reports (1)" in page
    assert f"Interim report 1: {application.reference}" in page
    assert "Overdue reports (1)" in client.get("/reporting/staff").get_data(as_text=True)


def test_staff_can_send_the_due_reminders_now(f, client, admin):
    from sqlalchemy import func, select

    from grantflow.reporting.models import ReportReminder

    create_grant(period_start=utcnow().date() - timedelta(days=190), period_end=utcnow().date() + timedelta(days=200))
    db.session.commit()
    assert client.post("/reporting/staff/remind").status_code == 302
    assert client.post("/reporting/staff/remind").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ReportReminder)) == 1
    page = client.get("/reporting/staff").get_data(as_text=True)
    assert "No reminders were due." in page  # the second run's result
