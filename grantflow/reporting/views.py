"""Reporting pages for grantees: their grants, filling in and submitting
reports page by page, payment history. Staff pages are in ``views_staff``.

=====================================================  =========  ==============
URL                                                    methods    who
=====================================================  =========  ==============
/reporting/                                            GET        applicant
/reporting/grants/<id>                                 GET        grantee, staff
/reporting/reports/<id>                                GET        grantee, staff
/reporting/reports/<id>/edit/<page>                    GET, POST  grantee
/reporting/reports/<id>/check                          GET        grantee
/reporting/reports/<id>/submit                         POST       grantee
=====================================================  =========  ==============
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import CombinedMultiDict

from ..applications.models import Application
from ..core import formdefs, navigation
from ..core.policy import allows, has_role, load
from ..core.refusal import Refused, refused_page
from ..core.workflow import meaning
from ..extensions import db
from . import filing, metrics
from .closeout import checklist
from .forms import ConfirmForm
from .models import Report
from .operations import reports_for
from .payments import payment_summary
from .reminders import today_utc

bp = Blueprint("reporting", __name__, url_prefix="/reporting")

navigation.register("My grants", "reporting.mine", ("applicant",), order=20)


@bp.route("/")
@allows("own", "grant")
def mine():
    grants = []
    if current_user.organisation_id is not None:
        grants = db.session.scalars(select(Application).where(
            Application.organisation_id == current_user.organisation_id, meaning.in_stages(Application, *meaning.GRANT_STAGES))
            .order_by(Application.state_changed_at.desc())).all()
    reports = {}
    if grants:
        for report in db.session.scalars(select(Report).where(Report.application_id.in_([g.id for g in grants]))
                                         .order_by(Report.due_on)):
            reports.setdefault(report.application_id, []).append(report)
    return render_template("reporting/mine.html", grants=grants, reports=reports, today=today_utc())


@bp.route("/grants/<int:application_id>")
@allows("view", "grant")
def grant(application_id: int):
    application = load("grant", application_id, "view")
    staff = has_role(current_user, "admin")
    final = next((r for r in reports_for(application) if r.is_final), None)
    return render_template("reporting/grant.html", application=application, reports=reports_for(application),
                           summary=payment_summary(application), today=today_utc(), staff=staff,
                           metric_rows=metrics.rows(application, final),
                           checklist=checklist(application) if meaning.is_in(application, "closing", "completed") else [])


def _answers_view(report: Report) -> dict:
    definition = filing.definition_for(report)
    return {"definition": definition, "attachments": filing.attachments_for(report),
            "sections": formdefs.answer_sections(definition, report.answers or {},
                                                 attachments=filing.attachments_for(report))}


@bp.route("/reports/<int:report_id>")
@allows("view", "report")
def report(report_id: int):
    report = load("report", report_id, "view")
    from .forms import ReviewForm

    return render_template("reporting/report.html", report=report, application=report.application,
                           may_edit=filing.may_edit(report, current_user), staff=has_role(current_user, "admin"),
                           today=today_utc(),
                           review_form=ReviewForm(), **_answers_view(report))


def _editable_or_redirect(report: Report):
    decision = filing.may_edit(report, current_user)
    if not decision:
        flash(decision.reason, "warning")
        return redirect(url_for("reporting.report", report_id=report.id))
    return None


def _group_action(report: Report, definition, page, action: str):
    """``add:<group>`` or ``remove:<group>:<entry id>``: a form re-rendered from the saved answers."""
    verb, _, rest = action.partition(":")
    group_id, _, entry_id = rest.partition(":")
    fdef = next((f for f in page.fields if f.id == group_id and f.is_group and f.repeat), None)
    if fdef is None:
        abort(400)
    answers = dict(report.answers or {})
    if verb == "remove":
        items = list(answers.get(group_id) or [])
        index = entry_id.rpartition("-")[2]
        if index.isdigit() and int(index) < len(items):
            items.pop(int(index))
        answers[group_id] = items
        filing.store_answers(report, formdefs.merge(answers, {group_id: items}))
    form = formdefs.make_page_form(definition, page, report.answers or {})
    if verb == "add":
        form[group_id].append_entry()
    return form


@bp.route("/reports/<int:report_id>/edit/<page_id>", methods=["GET", "POST"])
@allows("file", "report")
def edit_page(report_id: int, page_id: str):
    report = load("report", report_id, "file")
    refused = _editable_or_redirect(report)
    if refused is not None:
        return refused
    definition = filing.definition_for(report)
    page = definition.page(page_id) or abort(404)
    index = definition.page_index(page.id)
    errors = []
    if request.method == "POST":
        form = formdefs.make_page_form(definition, page, report.answers or {},
                                       formdata=CombinedMultiDict([request.form, request.files]))
        action = request.form.get("_action", "save")
        result = filing.save_page(report, current_user, page, form, enforce_required=(action == "continue"))
        errors = formdefs.error_list(form)
        if action.startswith(("add:", "remove:")):
            form = _group_action(report, definition, page, action)
        elif not errors and not result.problems:
            if action == "continue":
                following = definition.pages[index + 1].id if index + 1 < len(definition.pages) else None
                return redirect(url_for("reporting.edit_page", report_id=report.id, page_id=following)
                                if following else url_for("reporting.check", report_id=report.id))
            flash("Your draft is saved.", "success")
            return redirect(url_for("reporting.edit_page", report_id=report.id, page_id=page.id))
        # otherwise the draft is saved even so (nothing typed is lost) and the errors show next to the fields
    else:
        form = formdefs.make_page_form(definition, page, report.answers or {})
    return render_template("reporting/edit_page.html", report=report, application=report.application,
                           definition=definition, page=page, page_index=index, form=form, errors=errors,
                           ctx={"definition": definition, "answers": report.answers or {},
                                "attachments": filing.attachments_for(report),
                                "page_field_ids": [f.id for f in page.fields]})


@bp.route("/reports/<int:report_id>/check")
@allows("file", "report")
def check(report_id: int):
    report = load("report", report_id, "file")
    refused = _editable_or_redirect(report)
    if refused is not None:
        return refused
    return render_template("reporting/check.html", report=report, application=report.application,
                           problems=filing.problems(report), form=ConfirmForm(), **_answers_view(report))


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@allows("file", "report")
def submit(report_id: int):
    report = load("report", report_id, "file")
    refused = _editable_or_redirect(report)
    if refused is not None:
        return refused
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        filing.submit_report(report, current_user)
    except Refused as exc:
        return refused_page(render_template(
            "reporting/check.html", report=report, application=report.application,
            problems=filing.problems(report), form=form, refusal=str(exc), **_answers_view(report)))
    flash(f"{report.title} submitted. The fund will review it and let you know.", "success")
    return redirect(url_for("reporting.grant", application_id=report.application_id))


from . import views_staff  # noqa: E402,F401  (staff routes on bp)
