"""The grantee's side of a report: who may edit it, saving pages as drafts,
and submitting it (which, for the final report, fires ``submit_final_report``).

Report forms are definitions in ``forms/reports/`` run by the same engine as
applications; each report keeps the form version it was first opened with."""
from __future__ import annotations

from datetime import date

from ..core import formdefs
from ..core.audit import record_event
from ..core.db import utcnow
from ..core.permissions import ALLOW, Decision, deny
from ..core.refusal import Refused
from ..core.workflow import lock, meaning
from ..core.workflow.engine import holds_role
from ..extensions import db
from . import metrics
from .models import Report
from .operations import FINAL_REPORT_FILED
from .signals import report_submitted

FORM_KIND = "reports"
EDITABLE_REPORT_STATES = ("open", "changes_requested")


def definition_for(report: Report) -> formdefs.FormDefinition:
    """The report's form version; the newest one the first time it is opened."""
    if report.form_version is None:
        definition = formdefs.load_form(FORM_KIND, report.form_key)
        report.form_version = definition.version
        return definition
    return formdefs.load_form(FORM_KIND, report.form_key, report.form_version)


def context_for(report: Report) -> dict:
    application = report.application
    return {"round": application.round, "organisation": application.organisation, "application": application,
            "report": report}


def is_grantee(report: Report, user) -> bool:
    return holds_role(report.application, user, "applicant")


def may_edit(report: Report, user) -> Decision:
    """Members of the grantee organisation, while the report is not submitted and the grant is open."""
    application = report.application
    if not is_grantee(report, user):
        return deny("Only the grantee's staff can fill in this report.")
    if meaning.is_in(application, "completed"):
        return deny("This grant is closed: its reports are read-only.")
    if report.state not in EDITABLE_REPORT_STATES:
        return deny(f"This report is “{report.state_label}”: it can no longer be changed.")
    if report.is_final and meaning.move(application, guard=FINAL_REPORT_FILED) is None:
        return deny("The final report can be changed only while the grant is active.")
    if not meaning.is_in(application, *meaning.OPEN_GRANT_STAGES):
        return deny("This application is not an active grant.")
    return ALLOW


def ensure_may_edit(report: Report, user) -> None:
    decision = may_edit(report, user)
    if not decision:
        raise Refused(decision.reason)


def store_answers(report: Report, answers: dict) -> None:
    """Keep the answers and the copies dashboards and exports read, each found
    by the role its question declares in the report's form."""
    definition = definition_for(report)
    role = lambda name: definition.answer_for(answers, name)  # noqa: E731
    report.answers = dict(answers)
    report.metrics = metrics.actuals_from(definition, answers)
    spending_field = definition.role_field("spending_lines")
    money = [f.id for f in (spending_field.fields if spending_field else ()) if f.type == "money"][:1]
    spending = [line.get(money[0]) for line in role("spending_lines") or [] if money and isinstance(line, dict)]
    spending = [amount for amount in spending if isinstance(amount, int)]
    total = role("spent_total")
    report.spent_cents = total if isinstance(total, int) else (sum(spending) if spending else None)
    unspent = role("unspent_amount")
    report.unspent_cents = unspent if isinstance(unspent, int) else None
    report.success_story = (role("story") or "").strip() or None
    report.is_story_publishable = bool(report.success_story) and role("publication_consent") is True


def save_page(report: Report, actor, page, form, *, enforce_required: bool) -> formdefs.PageResult:
    """Read one posted page into the report's answers (a draft: nothing is
    required unless ``enforce_required``, and nothing typed is dropped)."""
    ensure_may_edit(report, actor)
    from sqlalchemy import select

    from ..applications.models import Attachment, report_document_key
    from ..applications.uploads import store_upload

    prefix = report_document_key(report.id, "")

    def store(field_key, upload):  # Refused is a ValueError: shown next to the field
        return store_upload(report.application, prefix + field_key, upload, actor).id

    definition = definition_for(report)
    result = formdefs.read_page(definition, page, form, report.answers or {}, context=context_for(report),
                                enforce_required=enforce_required, store_upload=store)
    # a file id posted back in a hidden input is trusted only if it is one of this report's files
    own_files = set(db.session.scalars(select(Attachment.id).where(
        Attachment.application_id == report.application_id, Attachment.field_key.startswith(prefix))))
    result.answers = formdefs.answers.keep_attachments(definition, result.answers, own_files)
    store_answers(report, result.answers)
    db.session.flush()
    return result


def problems(report: Report) -> list[str]:
    """What still stops the submission: the form's own checks, plus a figure
    for every metric the application set a target for."""
    definition = definition_for(report)
    found = formdefs.missing_required(definition, report.answers or {}, context_for(report))
    reported = metrics.actuals_from(definition, report.answers or {})
    for key in metrics.targets_for(report.application):
        if key not in reported:
            found.append(f"{metrics.METRICS[key]}: give a figure (your application set a target)")
    return found


def submit_report(report: Report, actor, *, today: date | None = None) -> Report:
    ensure_may_edit(report, actor)
    today = today or utcnow().date()
    if report.period_start and today < report.period_start:
        raise Refused(f"This report covers the grant from {report.period_start:%B %-d, %Y}: it can be "
                             "submitted from that day. Your answers are saved as a draft.")
    missing = problems(report)
    if missing:
        raise Refused("Some answers are missing or need fixing: " + "; ".join(missing) + ".")
    was_returned = report.state == "changes_requested"
    report.state = "submitted"
    report.submitted_at = utcnow()
    report.submitted_by_id = actor.id
    report.reviewed_at = None
    report.reviewed_by_id = None
    db.session.flush()
    application = report.application
    record_event(actor=actor, action="reporting.report_submitted", subject=report, application=application,
                 comment=f"{report.title} {'resubmitted' if was_returned else 'submitted'}.",
                 data={"report_id": report.id, "form_version": report.form_version}, visible_to_applicant=True)
    report_submitted.send(report, actor=actor, resubmitted=was_returned)
    if report.is_final and meaning.move(lock(application), guard=FINAL_REPORT_FILED) is not None:  # see core.workflow.lock
        meaning.fire_move(application, actor, guard=FINAL_REPORT_FILED, comment="The final report was submitted.")
    return report


def attachments_for(report: Report) -> dict:
    """Attachment rows the answers refer to, by id (one query)."""
    ids = formdefs.attachment_ids(definition_for(report), report.answers or {})
    if not ids:
        return {}
    from sqlalchemy import select

    from ..applications.models import Attachment

    rows = db.session.scalars(select(Attachment).where(Attachment.id.in_(ids),
                                                       Attachment.application_id == report.application_id))
    return {row.id: row for row in rows}
