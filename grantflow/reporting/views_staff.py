"""Staff pages: review reports, manage the schedule, record payments, close out.

=====================================================  =========  =====
URL                                                    methods    who
=====================================================  =========  =====
/reporting/staff                                       GET        admin
/reporting/staff/remind                                POST       admin
/reporting/reports/<id>/review                         POST       admin
/reporting/reports/<id>/due-date                       GET, POST  admin
/reporting/grants/<id>/reports/new                     GET, POST  admin
/reporting/grants/<id>/payments                        GET, POST  admin
/reporting/grants/<id>/closeout                        GET, POST  admin
=====================================================  =========  =====

Refused operations re-render the form with the message next to the field
(``core.refusal``), a 422 status, and the request rolled back."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..applications.models import Application
from ..core import jobs, navigation
from ..core.audit import record_event
from ..core.db import format_usd
from ..core.models import BackgroundJob
from ..core.policy import allows, load
from ..core.refusal import REFUSED, Refused, form_status, refuse_on
from ..core.workflow import TransitionRefused, meaning
from ..extensions import db
from . import closeout as closeout_ops
from . import operations
from .forms import AddReportForm, CloseGrantForm, ConfirmForm, DisbursementForm, MoveDueDateForm, ReviewForm, UnspentFundsForm
from .models import Report
from .payments import payment_summary, record_disbursement
from .reminders import PENDING_REPORT_STATES, today_utc
from .views import bp

navigation.register("Reports and payments", "reporting.overview", ("admin",), order=40)

REMIND_TASK = "grantflow.reporting.tasks.send_reminders"


def overview_rows(today):
    """Reports needing staff attention: overdue ones and those awaiting review."""
    base = (select(Report).join(Application, Report.application_id == Application.id)
            .where(meaning.in_stages(Application, *meaning.OPEN_GRANT_STAGES)))
    overdue = db.session.scalars(base.where(Report.state.in_(PENDING_REPORT_STATES), Report.due_on < today)
                                 .order_by(Report.due_on)).all()
    awaiting = db.session.scalars(base.where(Report.state == "submitted").order_by(Report.submitted_at)).all()
    return overdue, awaiting


@bp.route("/staff")
@allows("manage", "grant")
def overview():
    today = today_utc()
    overdue, awaiting = overview_rows(today)
    grants = db.session.scalars(select(Application).where(
        meaning.in_stages(Application, *meaning.GRANT_STAGES))
        .order_by(Application.state, Application.id)).all()
    last_run = db.session.scalar(select(BackgroundJob).where(BackgroundJob.task == REMIND_TASK)
                                 .order_by(BackgroundJob.id.desc()).limit(1))
    return render_template("reporting/overview.html", overdue=overdue, awaiting=awaiting, grants=grants, today=today,
                           remind_form=ConfirmForm(), last_run=last_run)


@bp.route("/staff/remind", methods=["POST"])
@allows("manage", "grant")
def remind_now():
    """Queue today's reminder run now (the same idempotent job cron's ``grantflow remind`` does)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = jobs.enqueue(REMIND_TASK, actor=current_user)
    record_event(actor=current_user, action="reporting.reminders_queued", data={"job_id": job.id})
    flash("Today's reminders are being sent; each goes out once, so nothing already sent is sent again.",
          "success")
    return redirect(url_for("reporting.overview"))


@bp.route("/reports/<int:report_id>/review", methods=["POST"])
@allows("manage", "report")
def review(report_id: int):
    report = load("report", report_id, "manage")
    form = ReviewForm()
    decision = request.form.get("decision")
    if not form.validate_on_submit() or decision not in ("accept", "changes"):
        abort(400)
    try:
        if decision == "accept":
            operations.accept_report(report, current_user, comment=form.comment.data)
            flash(f"{report.title} accepted.", "success")
        else:
            operations.request_changes(report, current_user, comment=form.comment.data)
            flash("Changes requested: the grantee has been told.", "success")
    except Refused as exc:
        refuse_on(form, exc, "comment")
        from .views import _answers_view

        return render_template("reporting/report.html", report=report, application=report.application,
                               may_edit=False, staff=True, today=today_utc(), review_form=form,
                               **_answers_view(report)), REFUSED
    return redirect(url_for("reporting.report", report_id=report.id))


@bp.route("/reports/<int:report_id>/due-date", methods=["GET", "POST"])
@allows("manage", "report")
def move_due_date(report_id: int):
    report = load("report", report_id, "manage")
    form = MoveDueDateForm(due_on=report.due_on)
    if form.validate_on_submit():
        try:
            operations.move_due_date(report, current_user, due_on=form.due_on.data, reason=form.reason.data)
        except Refused as exc:
            refuse_on(form, exc, "due_on")
        else:
            flash(f"{report.title} is now due on {report.due_on:%B %-d, %Y}.", "success")
            return redirect(url_for("reporting.grant", application_id=report.application_id))
    return render_template("reporting/move_due_date.html", report=report, application=report.application,
                           form=form), form_status(form)


@bp.route("/grants/<int:application_id>/reports/new", methods=["GET", "POST"])
@allows("manage", "grant")
def add_report(application_id: int):
    application = load("grant", application_id, "manage")
    form = AddReportForm()
    if form.validate_on_submit():
        try:
            report = operations.add_report(application, current_user, title=form.title.data,
                                           due_on=form.due_on.data, reason=form.reason.data)
        except Refused as exc:
            refuse_on(form, exc, "title")
        else:
            flash(f"{report.title} added, due {report.due_on:%B %-d, %Y}.", "success")
            return redirect(url_for("reporting.grant", application_id=application.id))
    return render_template("reporting/add_report.html", application=application, form=form), form_status(form)


@bp.route("/grants/<int:application_id>/payments", methods=["GET", "POST"])
@allows("manage", "grant")
def payments(application_id: int):
    application = load("grant", application_id, "manage")
    summary = payment_summary(application)
    if summary is None:
        abort(404)
    form = DisbursementForm()
    form.tranche_id.choices = [(line.tranche.id, f"{line.tranche.label}: {format_usd(line.remaining_cents)} "
                                                 f"still to pay")
                               for line in summary.payable_lines]
    if request.method == "POST":
        if form.validate_on_submit():
            tranche = next(line.tranche for line in summary.lines if line.tranche.id == form.tranche_id.data)
            try:
                disbursement = record_disbursement(tranche, current_user, amount_cents=form.amount.data,
                                                   paid_on=form.paid_on.data, reference=form.reference.data)
            except Refused as exc:
                refuse_on(form, exc, "amount")
            else:
                flash(f"Payment of {format_usd(disbursement.amount_cents)} recorded.", "success")
                return redirect(url_for("reporting.payments", application_id=application.id))
    return render_template("reporting/payments.html", application=application, summary=summary, form=form,
                           today=today_utc()), form_status(form)


@bp.route("/grants/<int:application_id>/closeout", methods=["GET", "POST"])
@allows("manage", "grant")
def closeout(application_id: int):
    application = load("grant", application_id, "manage")
    if not meaning.is_in(application, "closing", "completed"):
        flash("Closeout starts once the final report is accepted.", "info")
        return redirect(url_for("reporting.grant", application_id=application.id))
    record = closeout_ops.closeout_for(application)
    final = operations.final_report_for(application)
    financial_form, close_form = ConfirmForm(prefix="financial"), CloseGrantForm(prefix="closing")
    unspent_form = UnspentFundsForm(prefix="unspent")
    if request.method == "GET" and record is None and final is not None and final.unspent_cents is not None:
        unspent_form.amount.data = final.unspent_cents  # what the grantee reported, for staff to confirm
    if request.method == "POST":
        action = request.form.get("action")
        form = {"financial": financial_form, "unspent": unspent_form, "closing": close_form}.get(action)
        if form is None:
            abort(400)
        if form.validate_on_submit():
            try:
                if action == "financial":
                    closeout_ops.accept_financial_report(application, current_user, comment=form.comment.data)
                    message = "Final financial report accepted."
                elif action == "unspent":
                    closeout_ops.record_unspent_funds(application, current_user, amount_cents=form.amount.data,
                                                      note=form.note.data)
                    message = "Unspent funds recorded."
                else:
                    closeout_ops.close_grant(application, current_user, comment=form.comment.data,
                                             acknowledged=form.acknowledged.data)
                    message = "The grant is closed. The closeout letter is being prepared."
            except Refused as exc:
                refuse_on(form, exc, "comment" if action != "unspent" else "amount")
            except TransitionRefused as exc:
                refuse_on(form, Refused(str(exc)), "comment")
            else:
                flash(message, "success")
                return redirect(url_for("reporting.closeout", application_id=application.id))
    from . import grant as grant_side

    return render_template("reporting/closeout.html", application=application, record=record, final=final,
                           checklist=closeout_ops.checklist(application), summary=payment_summary(application),
                           warnings=closeout_ops.warnings(application),
                           financial_form=financial_form, unspent_form=unspent_form, close_form=close_form,
                           letter=grant_side.latest_closeout_letter(application)), form_status(
                               financial_form, unspent_form, close_form)
