"""Report reminders: 14 days before the due date, on it, and once overdue.

Each (report, kind) is sent at most once: the ``ReportReminder`` rows are
inserted with ON CONFLICT DO NOTHING before any email is queued, and only the
rows this run inserted get an email, so a second run, or two runs racing on
PostgreSQL, sends nothing again. ``today`` is a parameter so tests and ``--today`` freeze
the clock."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from ..applications.models import Application
from ..core.audit import record_event
from ..core.db import utcnow
from ..core.mail import send_email
from ..core.workflow import meaning
from ..extensions import db
from ..funds.models import Fund, Round
from ..organisations.models import Organisation
from .models import REMINDER_KINDS, Report, ReportReminder
from .schedule import reminder_kind, reporting_settings

#: grant states in which reports are still expected (closed grants get no mail)
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
               meaning.in_stages(Application, *meaning.OPEN_GRANT_STAGES),
               # once the overdue reminder is out nothing more is owed (moving the date clears it)
               ~exists().where(ReportReminder.report_id == Report.id, ReportReminder.kind == "overdue"))
        .order_by(Report.due_on, Report.id)
        # the emails need each grant's organisation and its members: load them in a few queries, not per report
        .options(selectinload(Report.application).selectinload(Application.organisation)
                 .selectinload(Organisation.members))).all()
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


def _claim(owed: list[tuple[Report, str]], today: date, recipients: dict[int, list]) -> set[tuple[int, str]]:
    """Insert the reminder rows, skipping any that exist; return the (report id, kind)
    pairs this run inserted. ``INSERT ... ON CONFLICT DO NOTHING`` in one statement per
    batch: on PostgreSQL a concurrent run's row makes this one wait, then skip it."""
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    claimed: set[tuple[int, str]] = set()
    for start in range(0, len(owed), 1000):
        rows = [{"report_id": report.id, "kind": kind, "sent_on": today, "due_on": report.due_on,
                 "recipients": len(recipients[report.id]), "created_at": now}
                for report, kind in owed[start:start + 1000]]
        statement = (insert(ReportReminder).values(rows)
                     .on_conflict_do_nothing(index_elements=["report_id", "kind"])
                     .returning(ReportReminder.report_id, ReportReminder.kind))
        claimed.update((report_id, kind) for report_id, kind in db.session.execute(statement))
    return claimed


def send_due_reminders(today: date | None = None) -> Counter:
    """Send every reminder owed on ``today``; flush, never commit. Returns counts by kind."""
    today = today or today_utc()
    counts: Counter = Counter()
    owed = reports_needing_reminders(today)
    if not owed:
        return counts
    recipients = {report.id: [m for m in report.application.organisation.members if m.is_active]
                  for report, _ in owed}
    claimed = _claim(owed, today, recipients)
    for report, kind in owed:
        if (report.id, kind) not in claimed:
            continue
        application = report.application
        for member in recipients[report.id]:
            send_email(member.email, "report_reminder", user=member, report=report,
                       application=application, kind=kind, when=REMINDER_KINDS[kind],
                       days_left=(report.due_on - today).days)
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
