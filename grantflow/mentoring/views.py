"""The mentor network's pages for its members (applicants and grantees): offer
to mentor, ask for a mentor, answer a match, log conversations, and the
directory of mentors who consented to be listed. The administrators' pages are
in ``admin_views`` (same blueprint)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from ..core import limits, navigation
from ..core.policy import allows, load
from ..core.refusal import Refused, form_status, refuse_on
from ..extensions import db
from ..organisations.models import APPLICANT_TYPES, US_STATES
from ..reviews.themes import theme_labels
from ..users.models import User
from . import operations
from .eligibility import may_ask, may_mentor
from .forms import AnswerForm, ConfirmForm, ConversationForm, MentorForm, RequestForm
from .models import MentorMatch, MentorProfile, MentorRequest
from .vocabulary import LANGUAGES

bp = Blueprint("mentoring", __name__)

navigation.register("Mentors", "mentoring.home", ("applicant",), order=40)

ANSWERS = {"accept": "accepted", "turn_down": "turned down", "end": "ended"}


def _page_context() -> dict:
    return {"themes": theme_labels(), "languages": LANGUAGES, "kinds": APPLICANT_TYPES, "states": US_STATES}


@bp.route("/mentoring/")
@allows("take_part", "mentoring")
def home():
    profile = operations.profile_of(current_user)
    matches = db.session.scalars(select(MentorMatch).where(or_(
        MentorMatch.mentor_id == current_user.id, MentorMatch.mentee_id == current_user.id))
        .order_by(MentorMatch.id.desc())).all()
    requests = db.session.scalars(select(MentorRequest).where(MentorRequest.user_id == current_user.id)
                                  .order_by(MentorRequest.id.desc())).all()
    return render_template("mentoring/home.html", profile=profile, matches=matches, requests=requests,
                           can_mentor=may_mentor(current_user), can_ask=may_ask(current_user),
                           confirm=ConfirmForm(), **_page_context())


def _profile_data(profile: MentorProfile | None) -> dict:
    if profile is not None:
        return {key: getattr(profile, key) for key in operations.PROFILE_FIELDS}
    organisation = current_user.organisation
    return {"applicant_type": organisation.applicant_type if organisation else None,
            "us_state": organisation.state if organisation else "", "languages": ["en"], "max_mentees": 2}


@bp.route("/mentoring/mentor", methods=["GET", "POST"])
@allows("take_part", "mentoring")
def offer():
    profile = operations.profile_of(current_user)
    decision = may_mentor(current_user)
    form = MentorForm(data=None if request.method == "POST" else _profile_data(profile)).fill_choices()
    if request.method == "POST" and not decision:
        flash(decision.reason, "error")
        return render_template("mentoring/offer.html", form=form, profile=profile, decision=decision), 403
    if form.validate_on_submit():
        returning = profile is None or not profile.opted_in
        try:
            operations.opt_in(current_user, **{key: getattr(form, key).data for key in operations.PROFILE_FIELDS})
        except Refused as exc:
            refuse_on(form, exc, "themes")
        else:
            flash("Thank you: you are offering to mentor. The fund will propose governments to you; nothing is "
                  "shared until you accept." if returning else "Your mentor profile is saved.", "success")
            return redirect(url_for("mentoring.home"))
    return render_template("mentoring/offer.html", form=form, profile=profile, decision=decision
                           ), form_status(form)


@bp.route("/mentoring/mentor/stop", methods=["POST"])
@allows("take_part", "mentoring")
def opt_out():
    if ConfirmForm().validate_on_submit():
        try:
            operations.opt_out(current_user)
        except Refused as exc:
            refuse_on(None, exc)
        else:
            flash("You no longer offer to mentor: you are out of the directory and of new matches. Governments "
                  "you were introduced to keep your contact details.", "success")
    return redirect(url_for("mentoring.home"))


@bp.route("/mentoring/ask", methods=["GET", "POST"])
@allows("take_part", "mentoring")
@limits.notifies_staff
def ask():
    decision = may_ask(current_user)
    pending = operations.open_request_of(current_user)
    form = RequestForm(data=None if request.method == "POST" else {"languages": ["en"]}).fill_choices()
    if request.method == "POST" and (not decision or pending is not None):
        flash(decision.reason if not decision else "You already asked for a mentor.", "error")
        status = 403 if not decision else 409
        return render_template("mentoring/ask.html", form=form, decision=decision, pending=pending), status
    if form.validate_on_submit():
        try:
            operations.ask_for_mentor(current_user, themes=form.themes.data, languages=form.languages.data,
                                      needs=form.needs.data)
        except Refused as exc:
            refuse_on(form, exc, "needs")
        else:
            flash("Your request is with the fund. We will email you when a mentor is proposed.", "success")
            return redirect(url_for("mentoring.home"))
    return render_template("mentoring/ask.html", form=form, decision=decision, pending=pending), form_status(form)


@bp.route("/mentoring/requests/<int:request_id>/withdraw", methods=["POST"])
@allows("cancel", "mentor_request")
def withdraw(request_id: int):
    mentor_request = load("mentor_request", request_id, "cancel")
    if ConfirmForm().validate_on_submit():
        try:
            operations.withdraw_request(mentor_request, current_user)
        except Refused as exc:
            refuse_on(None, exc)
        else:
            flash("Your request for a mentor is withdrawn.", "success")
    return redirect(url_for("mentoring.home"))


@bp.route("/mentoring/mentors")
@allows("browse", "mentoring")
def directory():
    """Only mentors who consented, whose offer stands; never an email or a phone."""
    rows = db.session.execute(select(MentorProfile, User).join(User, User.id == MentorProfile.user_id)
                              .where(MentorProfile.opted_in.is_(True), MentorProfile.is_visible.is_(True),
                                     User.is_active_account.is_(True))
                              .order_by(User.name)).all()
    return render_template("mentoring/directory.html", rows=rows, **_page_context())


@bp.route("/mentoring/matches/<int:match_id>", methods=["GET", "POST"])
@allows("view", "mentor_match")
def match(match_id: int):
    """The match: its answer buttons, the contact details once introduced, the conversations."""
    found = load("mentor_match", match_id, "view")
    side = found.party(current_user)
    form = ConversationForm()
    if request.method == "POST":
        load("mentor_match", match_id, "answer")  # staff read the log; only the parties write it
        if form.validate_on_submit():
            try:
                operations.log_conversation(found, current_user, held_on=form.held_on.data, topic=form.topic.data,
                                            outcome=form.outcome.data)
            except Refused as exc:
                refuse_on(form, exc, "topic")
            else:
                flash("The conversation is logged.", "success")
                return redirect(url_for("mentoring.match", match_id=found.id))
    return render_template("mentoring/match.html", match=found, side=side, form=form, answer=AnswerForm(),
                           **_page_context()), form_status(form)


@bp.route("/mentoring/matches/<int:match_id>/answer", methods=["POST"])
@allows("answer", "mentor_match")
def answer(match_id: int):
    found = load("mentor_match", match_id, "answer")
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400, "Choose one of the buttons on the match page.")
    try:
        if form.answer.data == "end":
            operations.end_match(found, current_user)
        else:
            operations.respond(found, current_user, accept=form.answer.data == "accept")
    except Refused as exc:
        refuse_on(None, exc)
    else:
        flash("Both of you accepted: we emailed you each other's contact details." if found.status == "introduced"
              and form.answer.data == "accept" else f"You {ANSWERS[form.answer.data]} this match.", "success")
    return redirect(url_for("mentoring.match", match_id=found.id))


from . import admin_views  # noqa: E402,F401  (registers the administrators' routes on bp)
