"""Award pages: staff record terms and manage letters; applicants read, download and accept.

URL table:
  /applications/<id>/award              awards.new_award        staff: record or correct the terms
  /admin/awards                         awards.index            staff: every award, by round
  /admin/awards/<id>                    awards.manage           staff: terms, payments, letters, actions
  /admin/awards/<id>/send               awards.send_letter      staff: render the award letter, then offer
  /admin/awards/<id>/letters            awards.render_letter    staff: render a new version of a letter
  /admin/rounds/<id>/letters            awards.round_letters    staff: render a round's decision letters
  /admin/letter-batches/<id>            awards.batch            staff: a batch's progress (refreshes itself)
  /admin/letter-batches/<id>/retry      awards.retry_batch      staff: retry the batch's failed letters
  /letters/<id>/retry                   awards.retry_letter     staff: retry one failed letter
  /letters/<id>/download                awards.download_letter  applicant (sent letters) and staff
  /applications/<id>/letters            awards.application_letters  applicant (sent letters) and staff
  /awards/<id>                          awards.offer            applicant and staff: the award and its terms
  /awards/<id>/accept                   awards.accept           applicant: accept by typing their name
  /awards/<id>/decline                  awards.refuse_offer    applicant: decline, with a confirmation
"""
from __future__ import annotations

import hashlib
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..applications.models import Application
from ..core import navigation
from ..core.audit import client_ip
from ..core.policy import allows, load, require
from ..core.refusal import Refused, form_status, refuse_on
from ..core.web import error_page
from ..core.workflow import meaning
from ..extensions import db
from ..funds.models import Round
from . import letters as letter_ops
from . import operations
from .context import reporting_schedule
from .forms import AcceptAwardForm, AwardTermsForm, DeclineOfferForm, RenderLetterForm, RoundLettersForm
from .models import Award, LetterBatch

bp = Blueprint("awards", __name__)

navigation.register("Awards", "awards.index", ("admin",), order=40)

#: seconds between refreshes of a running batch's page (an HTTP Refresh header: no JavaScript)
BATCH_REFRESH_SECONDS = 3


def _offered_award(application_id: int):
    """The application (its organisation's members and staff) and its award
    (the members see it once the offer is sent)."""
    application = load("application", application_id, "follow")
    return application, require("view", operations.award_for(application))


@bp.route("/applications/<int:application_id>/award", methods=["GET", "POST"])
@allows("manage", "application")
def new_award(application_id: int):
    application = load("application", application_id, "manage")
    award = operations.award_for(application)
    if not operations.terms_are_editable(application):
        if award is not None:
            flash("The offer has been sent, so the terms can no longer be changed.", "info")
            return redirect(url_for("awards.manage", application_id=application.id))
        return error_page(409, f"This application cannot be awarded while it is “{application.state_label}”.")
    form = AwardTermsForm()
    if request.method == "GET":
        form.fill(award, application, operations.default_tranches(application.round.fund))
    elif form.validate_on_submit():
        terms = form.terms()
        if terms is not None:
            try:
                operations.record_award_terms(application, current_user, terms,
                                              expected_version=request.form.get("version", type=int))
            except Refused as exc:
                refuse_on(form, exc)
            else:
                flash("The award terms are recorded." if award else
                      "Awarded. Check the terms, then send the award letter.", "success")
                return redirect(url_for("awards.manage", application_id=application.id))
    return render_template("awards/terms_form.html", form=form, application=application,
                           award=award), form_status(form)


@bp.route("/admin/awards")
@allows("manage", "award")
def index():
    round_id = request.args.get("round", type=int)
    query = (select(Award, Application).join(Application, Award.application_id == Application.id)
             .options(joinedload(Application.organisation)).order_by(Award.award_number))
    if round_id:
        query = query.where(Application.round_id == round_id)
    rows = db.session.execute(query).all()
    rounds = db.session.scalars(select(Round).order_by(Round.opens_at.desc())).all()
    return render_template("awards/index.html", rows=rows, rounds=rounds, round_id=round_id)


@bp.route("/admin/awards/<int:application_id>")
@allows("manage", "application")
def manage(application_id: int):
    application = load("application", application_id, "manage")
    award = operations.award_for(application)
    letters = letter_ops.letters_for(application, current_user)
    if award is None and not letters:
        abort(404)
    return render_template("awards/manage.html", application=application, award=award, letters=letters,
                           render_form=_render_form(application),
                           reports=reporting_schedule(application, award) if award else [],
                           is_editable=operations.terms_are_editable(application))


def _back_to_manage(application):
    return redirect(url_for("awards.manage", application_id=application.id))


@bp.route("/admin/awards/<int:application_id>/letters/<kind>/preview")
@allows("manage", "application")
def preview_letter(application_id: int, kind: str):
    """The letter as it would be sent, opened in the browser: nothing is stored or sent."""
    from ..core.pdf import PdfTemplateError

    application = load("application", application_id, "manage")
    try:
        pdf = letter_ops.preview_pdf(application, kind)
    except Refused as exc:
        return error_page(409, str(exc))
    except PdfTemplateError as exc:
        return error_page(409, f"The letter template cannot be rendered: {exc}")
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{application.reference}-{kind}-preview.pdf"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/admin/awards/<int:application_id>/send", methods=["POST"])
@allows("manage", "application")
def send_letter(application_id: int):
    application = load("application", application_id, "manage")
    try:
        letter_ops.send_award_letter(application, current_user)
    except Refused as exc:
        return error_page(409, str(exc))
    flash("The award letter is being rendered; the offer is sent as soon as it is ready.", "success")
    return _back_to_manage(application)


def _render_form(application) -> RenderLetterForm:
    """The letters the application's workflow sends (its ``letters:``), by their titles."""
    form = RenderLetterForm()
    form.kind.choices = [(kind, letter_ops.kind_label(kind).capitalize())
                         for kind in letter_ops.letter_kinds(application)]
    return form


@bp.route("/admin/awards/<int:application_id>/letters", methods=["POST"])
@allows("manage", "application")
def render_letter(application_id: int):
    application = load("application", application_id, "manage")
    form = _render_form(application)
    if not form.validate_on_submit():
        return error_page(400, "Choose which letter to render.")
    try:
        letter = letter_ops.request_letter(application, form.kind.data, current_user)
    except Refused as exc:
        return error_page(409, str(exc))
    flash(f"Version {letter.version} of the {letter_ops.kind_label(letter.kind)} is being rendered. "
          "It is not sent to the applicant.", "success")
    return _back_to_manage(application)


@bp.route("/letters/<int:letter_id>/retry", methods=["POST"])
@allows("manage", "letter")
def retry_letter(letter_id: int):
    letter = load("letter", letter_id, "manage")
    try:
        letter_ops.retry_letter(letter, current_user)
    except Refused as exc:
        return error_page(409, str(exc))
    flash(f"Rendering the {letter_ops.kind_label(letter.kind)} again.", "success")
    if letter.batch_id and request.form.get("back") == "batch":
        return redirect(url_for("awards.batch", batch_id=letter.batch_id))
    return _back_to_manage(letter.application)


@bp.route("/admin/rounds/<int:round_id>/letters", methods=["GET", "POST"])
@allows("manage", "round")
def round_letters(round_id: int):
    round_ = load("round", round_id, "manage")
    form = RoundLettersForm()
    if form.validate_on_submit():
        try:
            batch = letter_ops.start_round_letters(round_, current_user, send=form.send.data)
        except Refused as exc:
            return error_page(409, str(exc))
        return redirect(url_for("awards.batch", batch_id=batch.id))
    plan = letter_ops.round_letter_plan(round_)
    counts: dict[str, int] = {}
    for _, kind in plan:
        counts[kind] = counts.get(kind, 0) + 1
    counts = {letter_ops.kind_label(kind): count for kind, count in counts.items()}
    batches = db.session.scalars(select(LetterBatch).where(LetterBatch.round_id == round_.id)
                                 .order_by(LetterBatch.id.desc()).limit(20)).all()
    return render_template("awards/round_letters.html", round=round_, form=form, counts=counts, plan=plan,
                           batches=[(b, letter_ops.batch_progress(b)) for b in batches])


@bp.route("/admin/letter-batches/<int:batch_id>")
@allows("manage", "letter_batch")
def batch(batch_id: int):
    batch_ = load("letter_batch", batch_id, "manage")
    progress = letter_ops.batch_progress(batch_)
    refreshing = not progress["is_finished"] and request.args.get("refresh") != "off"
    failed = letter_ops.failed_letters(batch_)
    response = current_app.make_response(render_template(
        "awards/batch.html", batch=batch_, progress=progress, failed=failed, refreshing=refreshing,
        refresh_seconds=BATCH_REFRESH_SECONDS))
    if refreshing:
        # The Refresh header reloads the page without JavaScript; unlike a
        # <meta http-equiv=refresh> it is not an accessibility failure, and
        # the page offers a link to stop it (WCAG 2.2.1).
        response.headers["Refresh"] = str(BATCH_REFRESH_SECONDS)
    return response


@bp.route("/admin/letter-batches/<int:batch_id>/retry", methods=["POST"])
@allows("manage", "letter_batch")
def retry_batch(batch_id: int):
    batch_ = load("letter_batch", batch_id, "manage")
    failed = letter_ops.failed_letters(batch_)
    for letter in failed:
        letter_ops.retry_letter(letter, current_user)
    flash(f"Retrying {len(failed)} letter{'s' if len(failed) != 1 else ''}.", "success")
    return redirect(url_for("awards.batch", batch_id=batch_.id))


@bp.route("/letters/<int:letter_id>/download")
@allows("download", "letter")
def download_letter(letter_id: int):
    letter = load("letter", letter_id, "download")
    if not letter.is_ready:
        return error_page(409, "This letter has not been rendered yet.")
    data = letter_ops.read_letter(letter) or b""
    if hashlib.sha256(data).hexdigest() != letter.sha256:
        current_app.logger.error("letter %s: file %s missing or altered", letter.id, letter.file_path)
        return error_page(409, "The stored file of this letter is missing or does not match its checksum. "
                               "Fund staff can render the letter again.")
    # checked whole before sending (letters are small), so a download is never a tampered file
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=letter.download_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/applications/<int:application_id>/letters")
@allows("follow", "application")
def application_letters(application_id: int):
    """The letters of one application: those sent, for the applicant; every version, for staff."""
    application = load("application", application_id, "follow")
    return render_template("awards/application_letters.html", application=application,
                           letters=letter_ops.letters_for(application, current_user),
                           is_staff=current_user.has_role("admin"))


@bp.route("/awards/<int:application_id>")
@allows("view", "award")
def offer(application_id: int):
    application, award = _offered_award(application_id)
    return _offer_page(application, award, AcceptAwardForm())


def _offer_page(application, award, form):
    kind = letter_ops.award_letter_kind(application)
    letter = letter_ops.latest_sent_letter(application, kind) if kind else None
    can_respond = bool(meaning.may_move(application, current_user, into="funded", role="applicant"))
    decline_transition = operations.refusal(application)
    signatories = operations.acceptance_signatories(application, current_user)
    return render_template("awards/offer.html", application=application, award=award, letter=letter, form=form,
                           can_respond=can_respond, decline_transition=decline_transition, signatories=signatories,
                           reports=reporting_schedule(application, award))


@bp.route("/awards/<int:application_id>/accept", methods=["POST"])
@allows("view", "award")
def accept(application_id: int):
    application, award = _offered_award(application_id)
    decision = meaning.may_move(application, current_user, into="funded", role="applicant")
    if not decision:
        return error_page(403, decision.reason)
    form = AcceptAwardForm()
    if form.validate_on_submit():
        try:
            operations.accept_award_offer(application, current_user, typed_name=form.typed_name.data,
                                    ip_address=client_ip())
        except Refused as exc:
            refuse_on(form, exc, "typed_name")
        else:
            flash(f"Thank you: award {award.award_number} is accepted. The first payment is now due.", "success")
            return redirect(url_for("awards.offer", application_id=application.id))
    return _offer_page(application, award, form), form_status(form)


@bp.route("/awards/<int:application_id>/decline", methods=["GET", "POST"])
@allows("view", "award")
def refuse_offer(application_id: int):
    application, award = _offered_award(application_id)
    decision = meaning.may_move(application, current_user, into="refused", role="applicant")
    if not decision:
        return error_page(403, decision.reason)
    transition = operations.refusal(application)
    form = DeclineOfferForm()
    if form.validate_on_submit():
        operations.decline_award_offer(application, current_user, comment=form.comment.data)
        flash("You declined the award. Thank you for letting us know.", "success")
        return redirect(url_for("awards.offer", application_id=application.id))
    return render_template("awards/decline_offer.html", application=application, award=award, form=form,
                           transition=transition), form_status(form)
