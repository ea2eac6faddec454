"""Report reminders: 14 days before the due date, on it, and once overdue.

Each (report, kind) is sent at most once: the ``ReportReminder`` row is
inserted in a savepoint before the email is queued, so a second run, or two
runs racing on PostgreSQL, finds the row (or hits the unique constraint) and
sends nothing again. ``today`` is a parameter so tests and ``--today`` freeze
the clock."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..applications.models import Application
from ..core.audit import record_event
from ..core.db import utcnow
from ..core.mail import send_email
from ..extensions import db
from ..funds.models import Fund, Round
from .models import REMINDER_KINDS, Report, ReportReminder
from .schedule import reminder_kind, reporting_settings

#: grant states in which reports are still expected (closed grants get no mail)
REMINDED_GRANT_STATES = ("active", "final_report_submitted", "closeout")
PENDING_REPORT_STATES = ("open", "changes_requested")


def today_utc() -> date:
    return utcnow().date()


def _days_before_by_fund() -> dict[int, int]:
    return {fund.id: reporting_settings(fund.settings)["reminder_days_before"]
            for fund in db.session.scalars(select(Fund))}


def reports_needing_reminders(today: date) -> list[tuple[Report, str]]:
    """(report, kind) pairs owed today and not sent yet, in due-date order."""
    days_before = _days_before_by_fund()
    horizon = today + timedelta(days=max(days_before.values(), default=14))
    rows = db.session.execute(
        select(Report, Round.fund_id)
        .join(Application, Report.application_id == Application.id)
        .join(Round, Application.round_id == Round.id)
        .where(Report.state.in_(PENDING_REPORT_STATES), Report.due_on <= horizon,
               Application.state.in_(REMINDED_GRANT_STATES))
        .order_by(Report.due_on, Report.id)).all()
    if not rows:
        return []
    sent = set(db.session.execute(
        select(ReportReminder.report_id, ReportReminder.kind)
        .where(ReportReminder.report_id.in_([report.id for report, _ in rows]))).all())
    owed = []
    for report, fund_id in rows:
        kind = reminder_kind(report.due_on, today, days_before.get(fund_id, 14))
        if kind and (report.id, kind) not in sent:
            owed.append((report, kind))
    return owed


def _claim(report: Report, kind: str, today: date) -> ReportReminder | None:
    """Insert the reminder row in a savepoint; None if another run already has it."""
    reminder = ReportReminder(report_id=report.id, kind=kind, sent_on=today, due_on=report.due_on)
    try:
        with db.session.begin_nested():
            db.session.add(reminder)
    except IntegrityError:
        return None
    return reminder


def send_due_reminders(today: date | None = None) -> Counter:
    """Send every reminder owed on ``today``; flush, never commit. Returns counts by kind."""
    today = today or today_utc()
    counts: Counter = Counter()
    for report, kind in reports_needing_reminders(today):
        reminder = _claim(report, kind, today)
        if reminder is None:
            continue
        application = report.application
        recipients = [m for m in application.organisation.members if m.is_active]
        for member in recipients:
            send_email(member.email, "report_reminder", user=member, report=report,
                       application=application, kind=kind, when=REMINDER_KINDS[kind],
                       days_left=(report.due_on - today).days)
        reminder.recipients = len(recipients)
        record_event(actor=None, action=f"reporting.reminder_{kind}", subject=report, application=application,
                     comment=f"Reminder sent: {report.title} is {REMINDER_KINDS[kind]} "
                             f"(due {report.due_on:%B %-d, %Y}).",
                     data={"report_id": report.id, "kind": kind, "today": today.isoformat()},
                     visible_to_applicant=True)
        counts[kind] += 1
    db.session.flush()
    return counts


def describe(counts: Counter) -> str:
    total = sum(counts.values())
    if not total:
        return "No reminders were due."
    parts = ", ".join(f"{counts[kind]} {label}" for kind, label in REMINDER_KINDS.items() if counts[kind])
    return f"Sent {total} reminder{'s' if total != 1 else ''} ({parts})."
