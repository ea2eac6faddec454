"""Staff review of reports: accept (releasing tranches), ask for changes, move dates."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from grantflow.core.models import AuditEvent, OutboxEmail
from grantflow.core.refusal import Refused
from grantflow.extensions import db
from grantflow.reporting import operations

from tests.factories_reporting import create_grant, mark_submitted, report_of


def tranche_statuses(application) -> list[str]:
    return [t.status for t in application.award.tranches]


def test_acceptance_scheduled_reports_and_made_the_first_tranche_due(f):
    application = create_grant(period_start=date(2025, 1, 1), period_end=date(2026, 6, 30))
    reports = operations.reports_for(application)
    assert [(r.title, r.due_on) for r in reports] == [
        ("Interim report 1", date(2025, 7, 1)), ("Interim report 2", date(2026, 1, 1)),
        ("Final report", date(2026, 10, 28))]
    assert tranche_statuses(application) == ["due", "scheduled", "scheduled"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reporting.scheduled"))
    assert event.is_visible_to_applicant and "Final report due October 28, 2026" in event.comment


def test_scheduling_twice_adds_nothing(f):
    application = create_grant()
    assert operations.schedule_reports_for_award(application.award, None) == []
    assert len(operations.reports_for(application)) == 2


def test_fund_settings_shape_the_schedule(f):
    application = create_grant(fund_settings={"interim_report_months": 4, "final_report_days": 90})
    assert [r.due_on for r in operations.reports_for(application)] == [
        date(2025, 5, 1), date(2025, 9, 1), date(2026, 3, 31)]


def test_accepting_the_interim_report_makes_the_second_tranche_due(f):
    admin = f.create_user("admin")
    application = create_grant()
    report = mark_submitted(report_of(application))
    operations.accept_report(report, admin, comment="Thorough, thank you.")
    assert report.state == "accepted" and report.reviewed_by_id == admin.id
    assert tranche_statuses(application) == ["due", "due", "scheduled"]
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.template == "report_accepted"))
    assert "Second payment: $40,000.00" in email.body_text and "Thorough, thank you." in email.body_text


def test_accepting_the_final_report_releases_the_last_tranche_and_starts_closeout(f):
    admin = f.create_user("admin")
    application = create_grant()
    final = mark_submitted(report_of(application, "final"))
    assert application.state == "final_report_submitted"
    operations.accept_report(final, admin)
    # the interim tranche with no accepted interim report is not stranded either
    assert tranche_statuses(application) == ["due", "due", "due"]
    assert application.state == "closeout"


def test_a_short_grant_without_interim_reports_releases_everything_with_the_final(f):
    admin = f.create_user("admin")
    application = create_grant(period_start=date(2025, 1, 1), period_end=date(2025, 5, 31))
    assert [r.kind for r in operations.reports_for(application)] == ["final"]
    operations.accept_report(mark_submitted(report_of(application, "final")), admin)
    assert tranche_statuses(application) == ["due", "due", "due"]


def test_asking_for_changes_reaches_the_grantee_with_the_comment(f):
    admin = f.create_user("admin")
    application = create_grant()
    report = mark_submitted(report_of(application))
    operations.request_changes(report, admin, comment="Please add the spending on travel.")
    assert report.state == "changes_requested"
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.template == "report_changes_requested"))
    assert "Please add the spending on travel." in email.body_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reporting.changes_requested"))
    assert event.is_visible_to_applicant and event.comment == "Please add the spending on travel."
    assert tranche_statuses(application) == ["due", "scheduled", "scheduled"]


def test_sending_the_final_report_back_returns_the_grant_to_active(f):
    admin = f.create_user("admin")
    application = create_grant()
    final = mark_submitted(report_of(application, "final"))
    operations.request_changes(final, admin, comment="The financial section is missing.")
    assert application.state == "active" and final.state == "changes_requested"


@pytest.mark.parametrize("comment", ["", "   ", None])
def test_asking_for_changes_needs_a_comment(f, comment):
    admin = f.create_user("admin")
    report = mark_submitted(report_of(create_grant()))
    with pytest.raises(Refused, match="Say what needs to change") as refused:
        operations.request_changes(report, admin, comment=comment)
    assert refused.value.field == "comment" and report.state == "submitted"


@pytest.mark.parametrize("verb", ["accept", "changes"])
def test_only_submitted_reports_can_be_reviewed(f, verb):
    admin = f.create_user("admin")
    report = report_of(create_grant())
    with pytest.raises(Refused, match="Only a submitted report"):
        if verb == "accept":
            operations.accept_report(report, admin)
        else:
            operations.request_changes(report, admin, comment="x")


def test_only_staff_review(f):
    application = create_grant()
    grantee = application.organisation.members[0]
    report = mark_submitted(report_of(application))
    with pytest.raises(Refused, match="Only fund staff"):
        operations.accept_report(report, grantee)


def test_moving_a_due_date_is_audited_with_the_reason(f):
    admin = f.create_user("admin")
    report = report_of(create_grant())
    with pytest.raises(Refused, match="Give a reason"):
        operations.move_due_date(report, admin, due_on=date(2025, 8, 1), reason=" ")
    operations.move_due_date(report, admin, due_on=date(2025, 8, 1), reason="Elections in July")
    assert report.due_on == date(2025, 8, 1) and report.original_due_on == date(2025, 7, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reporting.due_date_moved"))
    assert event.comment.endswith("Reason: Elections in July") and event.data["from"] == "2025-07-01"


def test_staff_can_add_an_ad_hoc_report(f):
    admin = f.create_user("admin")
    application = create_grant()
    report = operations.add_report(application, admin, title="Delegation visit report", due_on=date(2025, 9, 15),
                                   reason="Requested by the Office after the Osaka visit")
    assert (report.kind, report.sequence, report.due_on) == ("adhoc", 1, date(2025, 9, 15))
    second = operations.add_report(application, admin, title="Another", due_on=date(2025, 10, 1), reason="r")
    assert second.sequence == 2
    assert len(operations.reports_for(application)) == 4


def test_a_closed_grant_is_read_only(f):
    admin = f.create_user("admin")
    application = create_grant(state="closed")
    with pytest.raises(Refused, match="closed"):
        operations.move_due_date(report_of(application), admin, due_on=date(2025, 8, 1), reason="r")
    with pytest.raises(Refused, match="closed"):
        operations.add_report(application, admin, title="x", due_on=date(2025, 8, 1), reason="r")


def test_the_workflow_button_cannot_skip_filing_the_final_report(f):
    from grantflow.core.workflow import may

    application = create_grant()
    grantee = application.organisation.members[0]
    decision = may(application, "submit_final_report", grantee)
    assert not decision and "submit the final report" in decision.reason


def test_returning_the_final_report_from_the_workflow_page_reopens_it(f):
    from grantflow.core import outbox
    from grantflow.core.workflow import fire

    admin = f.create_user("admin")
    application = create_grant()
    final = mark_submitted(report_of(application, "final"))
    fire(application, "return_final_report", admin, comment="Add the spending on travel.")
    db.session.commit()
    outbox.run_ready()  # the effect runs after the commit
    db.session.expire_all()
    final = report_of(application, "final")
    assert final.state == "changes_requested" and final.review_comment == "Add the spending on travel."
