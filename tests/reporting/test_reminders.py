"""Reminders under a frozen clock: each (report, kind) is sent once."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from grantflow.cli import cli as grantflow_cli
from grantflow.core.models import OutboxEmail
from grantflow.extensions import db
from grantflow.reporting import operations
from grantflow.reporting.models import Report, ReportReminder
from grantflow.reporting.reminders import send_due_reminders

from tests.factories_reporting import create_grant

D = date


def emails() -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "report_reminder")
                                   .order_by(OutboxEmail.id)))


def interim(application) -> Report:
    return db.session.scalar(select(Report).where(Report.application_id == application.id,
                                                  Report.kind == "interim"))


@pytest.mark.parametrize("today, sent", [
    (D(2025, 6, 16), {}),                     # 15 days before: nothing yet
    (D(2025, 6, 17), {"before": 1}),          # 14 days before
    (D(2025, 7, 1), {"due": 1}),
    (D(2025, 7, 9), {"overdue": 1}),
])
def test_each_reminder_goes_out_on_its_day_and_only_once(f, today, sent):
    application = create_grant(members=2)           # interim due Jul 1, final Apr 30, 2026
    assert dict(send_due_reminders(today)) == sent
    assert len(emails()) == 2 * sum(sent.values())  # every member of the organisation
    assert dict(send_due_reminders(today)) == {}
    db.session.commit()
    assert dict(send_due_reminders(today)) == {}
    assert len(emails()) == 2 * sum(sent.values())
    assert interim(application).due_on == D(2025, 7, 1)


def test_a_grant_lifetime_of_daily_runs_sends_three_reminders_per_report(f):
    application = create_grant()
    day = D(2025, 6, 1)
    total = 0
    while day <= D(2025, 7, 31):
        total += sum(send_due_reminders(day).values())
        day = day.fromordinal(day.toordinal() + 1)
    assert total == 3
    kinds = db.session.scalars(select(ReportReminder.kind).where(
        ReportReminder.report_id == interim(application).id).order_by(ReportReminder.id)).all()
    assert kinds == ["before", "due", "overdue"]
    subjects = [e.subject for e in emails()]
    assert subjects == [f"Interim report 1 for {application.reference} is due soon",
                        f"Interim report 1 for {application.reference} is due today",
                        f"Interim report 1 for {application.reference} is overdue"]


def test_a_missed_run_sends_only_what_is_owed_now(f):
    create_grant()
    assert dict(send_due_reminders(D(2025, 8, 1))) == {"overdue": 1}


@pytest.mark.parametrize("report_state", ["submitted", "accepted"])
def test_submitted_or_accepted_reports_get_no_reminder(f, report_state):
    application = create_grant()
    report = interim(application)
    report.state = report_state
    report.submitted_at = report.created_at
    if report_state == "accepted":
        report.reviewed_at = report.created_at
    assert dict(send_due_reminders(D(2025, 7, 1))) == {}


def test_closed_grants_get_no_reminder(f):
    create_grant(state="closed")
    assert dict(send_due_reminders(D(2025, 7, 9))) == {}


def test_fund_setting_changes_the_warning_period(f):
    create_grant(fund_settings={"reminder_days_before": 30})
    assert dict(send_due_reminders(D(2025, 6, 1))) == {"before": 1}


def test_moving_the_due_date_resets_the_reminders(f):
    admin = f.create_user("admin")
    application = create_grant()
    assert dict(send_due_reminders(D(2025, 7, 9))) == {"overdue": 1}
    operations.move_due_date(interim(application), admin, due_on=D(2025, 8, 15), reason="Mayor's office moved")
    assert dict(send_due_reminders(D(2025, 7, 9))) == {}
    assert dict(send_due_reminders(D(2025, 8, 1))) == {"before": 1}


def test_the_reminder_is_on_the_applicant_timeline(f):
    application = create_grant()
    send_due_reminders(D(2025, 7, 1))
    from grantflow.core.models import AuditEvent

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reporting.reminder_due"))
    assert event.application_id == application.id and event.is_visible_to_applicant
    assert "due today" in event.comment


def test_cli_remind_twice_sends_nothing_twice(f, runner):
    create_grant(members=1)
    db.session.commit()
    first = runner.invoke(grantflow_cli, args=["remind", "--today", "2025-07-01"])
    assert first.exit_code == 0, first.output
    assert "Sent 1 reminder (1 due today)." in first.output
    second = runner.invoke(grantflow_cli, args=["remind", "--today", "2025-07-01"])
    assert second.exit_code == 0 and "No reminders were due." in second.output
    assert db.session.scalar(select(func.count()).select_from(ReportReminder)) == 1


def test_cli_remind_rejects_a_bad_date(runner):
    result = runner.invoke(grantflow_cli, args=["remind", "--today", "July 1st"])
    assert result.exit_code != 0 and "use YYYY-MM-DD" in result.output


def test_cli_remind_enqueue_runs_the_job_in_process_without_redis(f, runner):
    from grantflow.core.models import BackgroundJob

    create_grant()
    db.session.commit()
    result = runner.invoke(grantflow_cli, args=["remind", "--today", "2025-06-20", "--enqueue"])
    assert result.exit_code == 0, result.output
    job = db.session.scalar(select(BackgroundJob).where(BackgroundJob.task.like("%send_reminders")))
    assert job.status == "done" and job.result["sent"] == {"before": 1}
