"""The form itself: one page at a time, saved on every button (and by the
autosave script), then a review page and the submission.

Nothing typed is lost: invalid inputs come back as typed with their errors;
an expired session or CSRF token re-renders the posted answers (unsaved, with
a message) instead of an error page; a signed-out applicant signs in on a page
that carries the answers along."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from ..core import formdefs, limits
from ..core.audit import record_event
from ..core.db import utcnow
from ..core.policy import allows, public
from ..core.refusal import REFUSED, Refused
from ..core.web import error_page
from ..users import kept
from ..core.workflow import ConcurrentChange, TransitionRefused
from ..extensions import db, login_manager
from . import operations
from .models import Attachment
from .views import bp, own_application

EXPIRED = ("Your session expired, so your last changes were not saved. They are below: check them, "
           "then press “Save draft” or “Save and continue”.")
COLLEAGUE = ("A colleague saved this application at the same moment, so your last changes were not saved. "
             "They are below: check them and save again.")
SIGN_IN_FIELDS = ("_signin_email", "_signin_password", "_signin_code", "_target", "csrf_token")


def _posted() -> MultiDict:
    return CombinedMultiDict((request.files, request.form)) if request.files else request.form


def _attachments(application) -> dict[int, Attachment]:
    rows = db.session.scalars(select(Attachment).where(Attachment.application_id == application.id))
    return {row.id: row for row in rows}


def _progress(definition, page, answers, context):
    steps = []
    for index, each in enumerate(definition.pages, start=1):
        done = not formdefs.answers.page_problems(definition, each, answers, context)
        steps.append({"page": each, "number": index, "current": each.id == page.id, "complete": done})
    return steps


def render_page(application, definition, page, form, *, status: int = 200, notice: str | None = None,
                focus: str | None = None, read_only: bool = False):
    context = formdefs.application_context(application)
    # the profile as it is now, not as it was at the last save
    answers = formdefs.merge(application.answers or {}, formdefs.sourced_values(definition, context))
    formdefs.pages.show_one_empty_item(page, form)
    index = definition.page_index(page.id)
    ctx = {"definition": definition, "answers": answers, "attachments": _attachments(application),
           "page_field_ids": {f.id for f in page.fields}}
    return render_template(
        "applications/page.html", application=application, definition=definition, page=page, form=form,
        ctx=ctx, errors=formdefs.error_list(form), notice=notice, focus=focus, read_only=read_only,
        steps=_progress(definition, page, answers, context), page_number=index + 1,
        previous_page=definition.pages[index - 1].id if index > 0 else None,
        is_last=index == len(definition.pages) - 1,
    ), status


def _page_or_404(definition, page_id):
    return definition.page(page_id) or abort(404)


def _structural_action(form, page, action: str) -> str | None:
    """"Add" and "Remove" buttons of repeatable groups: change the entries of
    the posted form (keeping everything typed) and return the id to focus."""
    kind, _, rest = action.partition(":")
    group_id, _, entry_id = rest.partition(":")
    fdef = next((f for f in page.fields if f.id == group_id and f.is_group and f.repeat), None)
    if fdef is None:
        return None
    entries = form[group_id]
    if kind == "add" and (fdef.max_items is None or len(entries.entries) < fdef.max_items):
        entry = entries.append_entry()
        return f"{entry.id}-{fdef.fields[0].id}"
    if kind == "remove":
        entries.entries = [e for e in entries.entries if e.id != entry_id]
        return group_id
    return None


@bp.route("/<int:application_id>/pages/<page_id>", methods=["GET", "POST"])
@allows("edit", "application", gate=False)  # an expired session keeps the posted answers
def edit_page(application_id: int, page_id: str):
    if not current_user.is_authenticated:
        return sign_in_to_save_page() if request.method == "POST" else login_manager.unauthorized()
    application = own_application(application_id)
    definition = formdefs.definition_for(application)
    page = _page_or_404(definition, page_id)
    decision = operations.may_edit(application, current_user)
    if request.method == "GET":
        if not decision:
            flash(decision.reason, "info")
            return redirect(url_for("applications.detail", application_id=application.id))
        return render_page(application, definition, page,
                           formdefs.make_page_form(definition, page, application.answers))

    form = formdefs.make_page_form(definition, page, application.answers, formdata=_posted())
    if not decision:
        form.validate()
        return render_page(application, definition, page, form, status=409, read_only=True,
                           notice=f"{decision.reason} Your changes were not saved; they are shown below so you "
                                  "can copy them.")
    action = "goto" if request.form.get("_goto") else request.form.get("_action", "continue")
    focus = _structural_action(form, page, action) if ":" in action else None
    try:
        operations.save_page(application, current_user, definition, page, form,
                             enforce_required=action == "continue")
    except StaleDataError:
        db.session.rollback()
        return render_page(own_application(application_id), definition, page, form, status=409,
                           notice=COLLEAGUE)
    if ":" in action:
        return render_page(application, definition, page, form, focus=focus)
    if formdefs.error_list(form):
        notice = "Your other answers on this page are saved." if action != "continue" else None
        return render_page(application, definition, page, form, notice=notice)
    goto = request.form.get("_goto")
    if goto and definition.page(goto):
        return redirect(url_for("applications.edit_page", application_id=application.id, page_id=goto))
    index = definition.page_index(page.id)
    if action == "back" and index > 0:
        target = definition.pages[index - 1].id
    elif action == "save":
        flash(f"Draft saved at {utcnow():%H:%M} UTC. You can come back to it from “My applications”.", "success")
        target = page.id
    elif index + 1 < len(definition.pages):
        target = definition.pages[index + 1].id
    else:
        return redirect(url_for("applications.review", application_id=application.id))
    return redirect(url_for("applications.edit_page", application_id=application.id, page_id=target))


@bp.route("/<int:application_id>/pages/<page_id>/autosave", methods=["POST"])
@allows("edit", "application", gate=False)  # the anonymous are answered in JSON
def autosave(application_id: int, page_id: str):
    """The script's background save: the same as "Save draft", answered in JSON."""
    if not current_user.is_authenticated:
        return jsonify(saved=False, message="You are signed out. Press “Save draft” to sign in again "
                                            "without losing your answers."), 401
    application = own_application(application_id)
    definition = formdefs.definition_for(application)
    page = _page_or_404(definition, page_id)
    decision = operations.may_edit(application, current_user)
    if not decision:
        return jsonify(saved=False, message=decision.reason), 409
    form = formdefs.make_page_form(definition, page, application.answers, formdata=request.form)
    try:
        operations.save_page(application, current_user, definition, page, form, enforce_required=False)
    except StaleDataError:
        db.session.rollback()
        return jsonify(saved=False, message="A colleague saved at the same moment; autosave will try again."), 409
    errors = [{"id": anchor, "message": message} for anchor, message in formdefs.error_list(form)]
    return jsonify(saved=True, saved_at=f"{utcnow():%H:%M} UTC", errors=errors)


@bp.route("/<int:application_id>/review")
@allows("edit", "application")
def review(application_id: int):
    application = own_application(application_id)
    decision = operations.may_edit(application, current_user)
    if not decision:
        return redirect(url_for("applications.detail", application_id=application.id))
    return render_review(application)


def render_review(application, *, error: str | None = None, status: int = 200):
    definition = formdefs.definition_for(application)
    context = formdefs.application_context(application)
    answers = formdefs.merge(application.answers or {}, formdefs.sourced_values(definition, context))
    return render_template(
        "applications/review.html", application=application, definition=definition, answers=answers,
        attachments=_attachments(application), problems=formdefs.problems(definition, answers, context),
        can_submit=operations.may_submit(application, current_user), error=error,
        resubmitting=operations.is_resubmission(application),
    ), status


@bp.route("/<int:application_id>/submit", methods=["POST"])
@allows("edit", "application")
def submit(application_id: int):
    application = own_application(application_id)
    try:
        operations.submit_application(application, current_user,
                                      expected_version=request.form.get("version", type=int))
    except ConcurrentChange:
        db.session.rollback()
        return render_review(own_application(application_id), status=409,
                             error="This application changed while you were looking at it (a colleague may "
                                   "have saved or submitted it). Check the answers below and try again.")
    except (TransitionRefused, Refused) as exc:
        db.session.rollback()
        return render_review(own_application(application_id), status=REFUSED, error=str(exc))
    return redirect(url_for("applications.submitted", application_id=application.id))


@bp.route("/<int:application_id>/submitted")
@allows("edit", "application")
def submitted(application_id: int):
    application = own_application(application_id)
    if application.submitted_at is None:
        return redirect(url_for("applications.detail", application_id=application.id))
    return render_template("applications/submitted.html", application=application)


# -- expired sessions: never lose the answers ------------------------------------------

def sign_in_to_save_page(error: str | None = None, status: int = 200):
    """A sign-in form that carries every posted answer along in hidden inputs."""
    target = request.form.get("_target") or f"{request.view_args.get('application_id')}:" \
                                                f"{request.view_args.get('page_id')}"
    carried = [(key, value) for key, values in request.form.lists() if key not in SIGN_IN_FIELDS
               for value in values]
    return render_template("applications/sign_in_to_save.html", carried=carried, target=target, error=error,
                           email=request.form.get("_signin_email", ""),
                           had_files=any(f.filename for f in request.files.values())), status


@bp.route("/sign-in-to-save", methods=["POST"])
@public  # a sign-in form; the application is loaded once signed in
@limits.sign_in("_signin_email")
def sign_in_to_save():
    from ..users import sessions, two_factor
    from ..users.operations import Refused, authenticate

    target = request.form.get("_target", "")
    application_id, _, page_id = target.partition(":")
    if not application_id.isdigit():
        abort(400)
    try:
        user = authenticate(request.form.get("_signin_email", ""), request.form.get("_signin_password", ""))
    except Refused as exc:  # a deactivated account: told so, the answers still carried along
        return sign_in_to_save_page(error=str(exc), status=403)
    if user is None:
        return sign_in_to_save_page(error="The email address or password is not right.")
    if user.totp_enabled_at and not two_factor.verify(user, request.form.get("_signin_code", "")):
        return sign_in_to_save_page(error="Your account uses two-step sign-in: enter the code your "
                                          "authenticator app shows (or a recovery code) as well.")
    sessions.sign_in(user)
    record_event(actor=user, action="user.signed_in", subject=user)
    application = own_application(int(application_id))
    definition = formdefs.definition_for(application)
    page = _page_or_404(definition, page_id)
    carried = MultiDict([(k, v) for k, values in request.form.lists() if k not in SIGN_IN_FIELDS for v in values])
    form = formdefs.make_page_form(definition, page, application.answers, formdata=carried)
    form.validate()
    return render_page(application, definition, page, form,
                       notice="You are signed in again. Your answers are below but NOT saved yet: check them, "
                              "then press “Save draft” or “Save and continue”.")


@bp.errorhandler(CSRFError)
def csrf_expired(exc):
    """An expired or missing CSRF token (usually an expired session): give the
    posted answers back instead of the generic error page. Nothing is saved."""
    db.session.rollback()
    endpoint = request.endpoint
    if endpoint == "applications.autosave":
        return jsonify(saved=False, message="Your session expired. Press “Save draft” to keep your answers."), 400
    if endpoint == "applications.sign_in_to_save":
        return sign_in_to_save_page(error="The page was out of date. Sign in again below.", status=400)
    if endpoint == "applications.edit_page" and not current_user.is_authenticated:
        return sign_in_to_save_page(status=400)
    if endpoint == "applications.submit" and current_user.is_authenticated:
        application = own_application(request.view_args["application_id"])
        return render_review(application, status=400,
                             error="Your session expired, so nothing was sent. Submit again when you are ready.")
    if endpoint != "applications.edit_page":
        return kept.keep_what_was_typed()  # the one mechanism of every other form
    application = own_application(request.view_args["application_id"])
    definition = formdefs.definition_for(application)
    page = _page_or_404(definition, request.view_args["page_id"])
    form = formdefs.make_page_form(definition, page, application.answers, formdata=_posted(),
                                   meta={"csrf": False})
    form.validate()
    db.session.rollback()
    return render_page(application, definition, page, form, status=400, notice=EXPIRED)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    """Beyond MAX_CONTENT_LENGTH the server cannot read the post at all."""
    from flask import current_app

    each = current_app.config["MAX_UPLOAD_BYTES"] / (1024 * 1024)
    return error_page(413, f"The files sent together were too large, so this page did not reach us. Go back and "
                           f"choose smaller files (each up to {each:.0f} MB). Answers saved earlier, by a button "
                           "or automatically, are kept.")

