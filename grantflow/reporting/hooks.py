"""Workflow guards and effects owned by reporting (named in the workflow YAML).

Guards are pure: they read the reports, payments and closeout record and
return a reason to refuse, or None. (The closeout letter is the awards
domain's effect ``send_closeout_letter`` on the same ``close`` transition.)
Reporting also answers the awards domain's signals: an accepted award gets
its reports scheduled, and the offer page and letter get the schedule."""
from __future__ import annotations

from ..awards.signals import award_accepted, reporting_schedule_wanted
from ..core.audit import record_event
from ..core.db import utcnow
from ..core.workflow import effect, guard, meaning
from ..extensions import db
from . import metrics  # noqa: F401  (registers the metrics an application form may set targets for)


@guard("final_report_accepted")
def final_report_accepted(application, context) -> str | None:
    from .operations import final_report_for

    final = final_report_for(application)
    if final is None:
        return "This grant has no final report scheduled."
    if final.state != "accepted":
        return f"Closeout starts once the final report is accepted (it is “{final.state_label}”)."
    return None


@guard("closeout_checklist_complete")
def closeout_checklist_complete(application, context) -> str | None:
    from .closeout import incomplete_items

    missing = incomplete_items(application)
    if missing:
        return "The closeout checklist is not complete: " + "; ".join(
            f"{item.label.lower()} ({item.detail.rstrip('.')})" for item in missing) + "."
    return None


@guard("final_report_filed")
def final_report_filed(application, context) -> str | None:
    """``submit_final_report`` only follows the grantee's submission of the final
    report (so the workflow's own action button cannot skip the report)."""
    from .operations import final_report_for

    final = final_report_for(application)
    if final is None or final.state != "submitted":
        return "Fill in and submit the final report from “My grants”; the grant moves on when it is submitted."
    return None


@effect("reopen_final_report")
def reopen_final_report(application_id: int, transition: dict) -> None:
    """When the final report is returned from the workflow's own page, reopen
    the report for the grantee with the staff comment (the reporting page's
    "Ask for changes" has already done this, so then nothing changes)."""
    from ..applications.models import Application
    from ..users.models import User
    from .operations import final_report_for

    application = db.session.get(Application, application_id)
    final = final_report_for(application) if application is not None else None
    if final is None or final.state != "submitted" or meaning.move(application, guard="final_report_filed") is None:
        return
    final.state = "changes_requested"
    final.reviewed_at = utcnow()
    final.reviewed_by_id = transition.get("actor_id")
    final.review_comment = transition.get("comment") or "Please revise the final report."
    actor = db.session.get(User, transition["actor_id"]) if transition.get("actor_id") else None
    record_event(actor=actor, action="reporting.changes_requested", subject=final, application=application,
                 comment=final.review_comment, data={"report_id": final.id}, visible_to_applicant=True)


@award_accepted.connect
def schedule_reports_on_acceptance(award, actor=None, **_) -> None:
    """The grant's reports, planned from the accepted award's period, in the
    acceptance's own transaction (nothing changes if a schedule exists)."""
    from .operations import schedule_reports_for_award

    schedule_reports_for_award(award, actor)


@reporting_schedule_wanted.connect
def reporting_schedule_for(award, **_) -> list[dict]:
    """The reports scheduled for the grant, or before acceptance those its
    award period and the fund's settings will give."""
    from sqlalchemy import select

    from .models import Report
    from .schedule import plan_reports, reporting_settings

    application = award.application
    reports = db.session.scalars(select(Report).where(Report.application_id == application.id)
                                 .order_by(Report.due_on, Report.id)).all()
    if not reports:
        settings = reporting_settings(application.round.fund.settings)
        reports = plan_reports(award.period_start, award.period_end,
                               interim_report_months=settings["interim_report_months"],
                               final_report_days=settings["final_report_days"])
    return [{"title": r.title, "period_start": r.period_start, "period_end": r.period_end, "due_on": r.due_on}
            for r in reports]
