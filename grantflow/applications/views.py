"""The applicant's pages: my applications, starting one (eligibility first),
an application's status, withdrawing. The form pages are in ``views_pages``
and file downloads in ``views_files``; all hang on this blueprint."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core import formdefs, limits, navigation
from ..core.db import utcnow
from ..core.policy import allows, load
from ..core.refusal import REFUSED, Refused, form_status, refuse_on
from ..core.workflow import ConcurrentChange, TransitionRefused, may
from ..extensions import db
from ..funds.models import Round
from . import eligibility, operations, presenters
from .forms import ReplyForm
from .models import Application

bp = Blueprint("applications", __name__, url_prefix="/applications")

navigation.register("My applications", "applications.mine", ("applicant",), order=10)


def own_application(application_id: int) -> Application:
    """The applicant's own application (the policy's ``edit``); another
    organisation's does not exist, as far as an applicant can tell."""
    return load("application", application_id, "edit")


def needs_organisation():
    """An applicant without an organisation is sent to describe it first."""
    if current_user.organisation_id is None:
        flash("First, tell us about the government you work for.", "info")
        return redirect(url_for("organisations.profile", next=request.full_path.rstrip("?")))
    return None


def open_rounds() -> list[Round]:
    now = utcnow()
    return db.session.scalars(select(Round).where(Round.opens_at <= now, Round.closes_at > now)
                              .order_by(Round.closes_at)).all()


@bp.route("/")
@allows("apply", "application")
def mine():
    applications = []
    if current_user.organisation_id is not None:
        applications = db.session.scalars(
            select(Application).where(Application.organisation_id == current_user.organisation_id)
            .options(joinedload(Application.round)).order_by(Application.updated_at.desc())).all()
    return render_template("applications/mine.html", applications=applications, rounds=open_rounds(),
                           has_timeline=has_workflow_partials(),
                           messages=presenters.latest_staff_messages(applications),
                           related={a.id: presenters.related_pages(a) for a in applications},
                           continue_pages={a.id: presenters.next_page_to_fill(a) for a in applications
                                           if a.workflow.state(a.state).is_editable})


def has_workflow_partials() -> bool:
    from flask import current_app

    return "workflow_context" in current_app.jinja_env.globals


@bp.route("/start/<int:round_id>", methods=["GET", "POST"])
@allows("apply", "round")
def start(round_id: int):
    round_ = load("round", round_id, "apply")
    redirect_to_profile = needs_organisation()
    if redirect_to_profile:
        return redirect_to_profile
    organisation = current_user.organisation
    definition = round_.application_form()
    form = formdefs.make_eligibility_form(definition, {}, formdata=request.form if request.method == "POST" else None)
    verdict = eligibility.Verdict(type_reason=eligibility.applicant_type_reason(definition, organisation))
    checked = False
    if request.method == "POST" and round_.is_open() and verdict.type_reason is None:
        form.validate()
        answers = {f.id: form[f.id].data for f in definition.eligibility_fields() if not form[f.id].errors}
        verdict = eligibility.check(definition, formdefs.merge({}, answers), round_, organisation)
        checked = True
        if verdict.eligible and not formdefs.error_list(form):
            application = operations.start_application(round_, organisation, current_user, answers)
            flash("You are eligible. Your application is started: it is saved as a draft as you go.", "success")
            return redirect(url_for("applications.edit_page", application_id=application.id,
                                    page_id=definition.pages[0].id))
        formdefs.attach_problems(form, [p for p in verdict.problems if p.is_missing])
    return render_start(round_, definition, form, verdict, checked=checked, status=REFUSED if checked else 200)


def render_start(round_, definition, form, verdict, *, checked: bool = False, notice: str | None = None,
                 status: int = 200):
    organisation = current_user.organisation
    drafts = db.session.scalars(select(Application).where(
        Application.organisation_id == organisation.id, Application.round_id == round_.id)).all()
    return render_template("applications/start.html", round=round_, definition=definition, form=form,
                           verdict=verdict, checked=checked, drafts=drafts, organisation=organisation,
                           errors=formdefs.error_list(form), now=utcnow(), notice=notice), status


@bp.route("/<int:application_id>")
@allows("edit", "application")
def detail(application_id: int):
    return _detail_page(own_application(application_id), ReplyForm())


@bp.route("/<int:application_id>/reply", methods=["POST"])
@allows("edit", "application")
@limits.notifies_staff
def reply(application_id: int):
    application = own_application(application_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            operations.reply_to_fund(application, current_user, form.text.data)
        except Refused as exc:
            refuse_on(form, exc, "text")
        else:
            flash("Your reply is sent to the fund and kept with the application's history.", "success")
            return redirect(url_for("applications.detail", application_id=application.id))
    return _detail_page(application, form, form_status(form))


def _detail_page(application, reply_form, status: int = 200):
    definition = formdefs.definition_for(application)
    return render_template("applications/detail.html", application=application, definition=definition,
                           reply_form=reply_form,
                           can_edit=operations.may_edit(application, current_user),
                           can_submit=operations.may_submit(application, current_user),
                           resubmitting=operations.is_resubmission(application),
                           can_withdraw=operations.may_withdraw(application, current_user),
                           has_timeline=has_workflow_partials(),
                           continue_page=presenters.next_page_to_fill(application),
                           related=presenters.related_pages(application),
                           message=presenters.latest_staff_messages([application]).get(application.id)), status


@bp.route("/<int:application_id>/withdraw", methods=["GET", "POST"])
@allows("edit", "application")
def withdraw(application_id: int):
    application = own_application(application_id)
    decision = operations.may_withdraw(application, current_user)
    reason = (request.form.get("reason") or "").strip()
    error = None if decision else decision.reason
    if request.method == "POST" and decision:
        try:
            operations.withdraw_application(application, current_user, reason=reason,
                                            expected_version=request.form.get("version", type=int))
        except (ConcurrentChange, TransitionRefused) as exc:
            db.session.rollback()
            application = own_application(application_id)
            error = str(exc)
        else:
            flash(f"Application {application.reference} is withdrawn.", "success")
            return redirect(url_for("applications.detail", application_id=application.id))
    return render_withdraw(application, reason, error, status=200 if error is None else 409)


def render_withdraw(application, reason: str, error: str | None, *, notice: str | None = None,
                    status: int = 200):
    return render_template("applications/withdraw.html", application=application, reason=reason,
                           error=error, notice=notice, confirm=operations.withdraw_confirm_text(application)), status


from . import views_files, views_pages  # noqa: E402,F401  (routes on this blueprint)
