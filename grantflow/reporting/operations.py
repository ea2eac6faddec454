"""Verbs on reports: schedule, add, move, accept, ask for changes.

Every function takes the acting user explicitly, flushes and never commits
(the request, CLI command or job commits), and audits what it changed."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select

from ..core.audit import record_event
from ..core.cache import portfolio_changed
from ..core.db import utcnow
from ..core.mail import send_email
from ..core.refusal import Refused
from ..core.workflow import meaning
from ..extensions import db
from . import grant
from .models import Report, ReportReminder
from .schedule import ScheduleError, plan_reports, reporting_settings

#: the moves the reporting domain makes, found by their guards and effects
FINAL_REPORT_FILED = "final_report_filed"
FINAL_REPORT_ACCEPTED = "final_report_accepted"
REOPEN_FINAL_REPORT = "reopen_final_report"
REPORT_FORMS = {"interim": "interim", "final": "final", "adhoc": "interim"}


def ensure_staff(actor) -> None:
    if actor is None or not actor.has_role("admin"):
        raise Refused("Only fund staff can do this.")


def ensure_grant_open(application) -> None:
    """A closed (or never active) grant is read-only."""
    if meaning.is_in(application, "completed"):
        raise Refused("This grant is closed: its reports and payments are read-only.")
    if not meaning.is_in(application, *meaning.OPEN_GRANT_STAGES):
        raise Refused("This application is not an active grant.")


def reports_for(application) -> list[Report]:
    return list(db.session.scalars(select(Report).where(Report.application_id == application.id)
                                   .order_by(Report.due_on, Report.id)))


def final_report_for(application) -> Report | None:
    return db.session.scalar(select(Report).where(Report.application_id == application.id,
                                                  Report.kind == "final"))


def schedule_reports(application, actor, *, period_start: date, period_end: date) -> list[Report]:
    """Create the application's report schedule once; does nothing if it exists."""
    if db.session.scalar(select(func.count()).select_from(Report)
                         .where(Report.application_id == application.id, Report.kind != "adhoc")):
        return []
    try:
        settings = reporting_settings(application.round.fund.settings)
        planned = plan_reports(period_start, period_end,
                               interim_report_months=settings["interim_report_months"],
                               final_report_days=settings["final_report_days"])
    except ScheduleError as exc:
        raise Refused(str(exc)) from exc
    reports = []
    for plan in planned:
        report = Report(application=application, kind=plan.kind, sequence=plan.sequence, title=plan.title,
                        period_start=plan.period_start, period_end=plan.period_end, due_on=plan.due_on,
                        original_due_on=plan.due_on, form_key=REPORT_FORMS[plan.kind])
        db.session.add(report)
        reports.append(report)
    db.session.flush()
    record_event(actor=actor, action="reporting.scheduled", application=application,
                 comment="Reports scheduled: " + "; ".join(f"{r.title} due {r.due_on:%B %-d, %Y}" for r in reports)
                 + ".",
                 data={"due": {r.title: r.due_on.isoformat() for r in reports},
                       "interim_report_months": settings["interim_report_months"],
                       "final_report_days": settings["final_report_days"]},
                 visible_to_applicant=True)
    return reports


def schedule_reports_for_award(award, actor) -> list[Report]:
    """The schedule from an accepted award's period of performance (called in
    the same transaction as the acceptance, so a grant never lacks one)."""
    start, end = grant.award_period(award)
    return schedule_reports(award.application, actor, period_start=start, period_end=end)


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Give a reason: it is kept in the audit log.", field="reason")
    return reason


def add_report(application, actor, *, title: str, due_on: date, reason: str) -> Report:
    ensure_staff(actor)
    ensure_grant_open(application)
    title = (title or "").strip()
    if not title:
        raise Refused("Give the report a title.", field="title")
    reason = _reason(reason)
    sequence = (db.session.scalar(select(func.max(Report.sequence)).where(
        Report.application_id == application.id, Report.kind == "adhoc")) or 0) + 1
    report = Report(application=application, kind="adhoc", sequence=sequence, title=title[:200],
                    due_on=due_on, original_due_on=due_on, form_key=REPORT_FORMS["adhoc"])
    db.session.add(report)
    db.session.flush()
    record_event(actor=actor, action="reporting.report_added", subject=report, application=application,
                 comment=f"{title} requested, due {due_on:%B %-d, %Y}. Reason: {reason}",
                 data={"report_id": report.id, "due_on": due_on.isoformat()}, visible_to_applicant=True)
    return report


def move_due_date(report: Report, actor, *, due_on: date, reason: str) -> Report:
    """Move a due date; reminders already sent for the old date no longer
    apply, so they are cleared and go out again for the new one."""
    ensure_staff(actor)
    ensure_grant_open(report.application)
    reason = _reason(reason)
    if report.state == "accepted":
        raise Refused("This report is already accepted; its due date no longer matters.", field="due_on")
    if due_on == report.due_on:
        raise Refused("That is already the due date.", field="due_on")
    previous = report.due_on
    report.due_on = due_on
    cleared = db.session.execute(delete(ReportReminder).where(ReportReminder.report_id == report.id)).rowcount
    db.session.flush()
    db.session.expire(report, ["reminders"])
    record_event(actor=actor, action="reporting.due_date_moved", subject=report, application=report.application,
                 comment=f"{report.title}: due date moved from {previous:%B %-d, %Y} to {due_on:%B %-d, %Y}. "
                         f"Reason: {reason}",
                 data={"report_id": report.id, "from": previous.isoformat(), "to": due_on.isoformat(),
                       "reminders_cleared": cleared},
                 visible_to_applicant=True)
    return report


def accept_report(report: Report, actor, *, comment: str | None = None) -> Report:
    """Accept a submitted report; release the tranches waiting on it; an
    accepted final report starts the closeout."""
    ensure_staff(actor)
    application = report.application
    ensure_grant_open(application)
    if report.state != "submitted":
        raise Refused(f"Only a submitted report can be accepted; this one is “{report.state_label}”.")
    report.state = "accepted"
    report.reviewed_at = utcnow()
    report.reviewed_by_id = actor.id
    report.review_comment = (comment or "").strip() or None
    db.session.flush()
    portfolio_changed()  # its story and metrics
    released = grant.release_tranches_for(report, actor)
    record_event(actor=actor, action="reporting.report_accepted", subject=report, application=application,
                 comment=report.review_comment or f"{report.title} accepted.",
                 data={"report_id": report.id, "released_tranches": [t.id for t in released]},
                 visible_to_applicant=True)
    if report.is_final and meaning.move(application, guard=FINAL_REPORT_ACCEPTED) is not None:
        meaning.fire_move(application, actor, guard=FINAL_REPORT_ACCEPTED, comment="The final report was accepted.")
    _notify(report, "report_accepted", released=released)
    return report


def request_changes(report: Report, actor, *, comment: str) -> Report:
    """Send a submitted report back with a comment the grantee sees."""
    ensure_staff(actor)
    application = report.application
    ensure_grant_open(application)
    comment = (comment or "").strip()
    if not comment:
        raise Refused("Say what needs to change: the grantee sees this comment.", field="comment")
    if report.state != "submitted":
        raise Refused(f"Only a submitted report can be sent back; this one is “{report.state_label}”.")
    report.state = "changes_requested"
    report.reviewed_at = utcnow()
    report.reviewed_by_id = actor.id
    report.review_comment = comment
    db.session.flush()
    record_event(actor=actor, action="reporting.changes_requested", subject=report, application=application,
                 comment=comment, data={"report_id": report.id}, visible_to_applicant=True)
    if report.is_final and meaning.move(application, effect=REOPEN_FINAL_REPORT) is not None:
        # the workflow's own notification carries the comment to the grantee
        meaning.fire_move(application, actor, effect=REOPEN_FINAL_REPORT, comment=comment)
    else:
        _notify(report, "report_changes_requested")
    return report


def _notify(report: Report, template: str, **context) -> None:
    for member in report.application.organisation.members:
        if member.is_active:
            send_email(member.email, template, user=member, report=report, application=report.application,
                       **context)
