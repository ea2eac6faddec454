"""The reviewer's pages: the queue, the conflict declaration, the review
itself, declining, and the reviewer's own profile. The administrators'
pages are in ``admin_views`` (same blueprint)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, load_only

from ..applications.models import Application
from ..core import navigation
from ..core.policy import allows, load
from ..core.refusal import REFUSED, Refused, form_status, refuse_on
from ..core.workflow import meaning
from ..extensions import db
from ..funds.models import Round
from . import operations, scoring
from .forms import ConflictForm, DeclineForm, ProfileForm, review_form_class
from .rubrics import progress as rubric_progress, rubric_name
from .models import Review, ReviewAssignment, ReviewerProfile
from .themes import theme_label, theme_labels
from .profiles import fill_profile_choices, profile_form_data

bp = Blueprint("reviews", __name__, url_prefix="/reviews")
bp.add_app_template_filter(rubric_name, "rubric_name")

navigation.register("My review queue", "reviews.queue", ("reviewer",), order=10)
navigation.register("My reviewer profile", "reviews.my_profile", ("reviewer",), order=80)

STATUS_LABELS = {"not_started": "Not started", "draft": "Draft", "submitted": "Submitted"}


@bp.route("/")
@allows("score", "review")
def queue():
    # one query whatever the length of the queue, reading only the columns it
    # shows (not answers, round settings or scores, whose JSON decoding would
    # dominate a long queue); the (reviewer_id, status, round_id) index finds them
    query = (select(ReviewAssignment)
             .join(ReviewAssignment.application).join(ReviewAssignment.round).outerjoin(ReviewAssignment.review)
             .where(ReviewAssignment.reviewer_id == current_user.id, ReviewAssignment.status == "active",
                    meaning.in_stages(Application, *meaning.PANEL_STAGES))
             .options(load_only(ReviewAssignment.id, ReviewAssignment.coi_status),
                      contains_eager(ReviewAssignment.application).load_only(Application.id, Application.title,
                                                                             Application.themes),
                      contains_eager(ReviewAssignment.round).load_only(Round.name, Round.review_due_at),
                      contains_eager(ReviewAssignment.review).load_only(Review.status))
             .order_by(Round.review_due_at.is_(None), Round.review_due_at, Application.id))
    assignments = db.session.scalars(query).all()
    counts = {key: sum(1 for a in assignments if a.review_status == key) for key in STATUS_LABELS}
    return render_template("reviews/queue.html", assignments=assignments, counts=counts,
                           status_labels=STATUS_LABELS, matched=matched_themes(assignments, current_user))


def matched_themes(assignments, reviewer) -> dict[int, list[str]]:
    """Why each application was assigned to the reviewer: the themes it shares
    with their expertise (what the assignment maximises), as labels."""
    expertise = set(db.session.scalar(select(ReviewerProfile.expertise_themes)
                                      .where(ReviewerProfile.user_id == reviewer.id)) or [])
    labels = theme_labels()
    return {a.id: [theme_label(t, labels) for t in (a.application.themes or []) if t in expertise]
            for a in assignments}


def _review_page(assignment: ReviewAssignment, form=None, status: int = 200):
    rubric = operations.rubric_for(assignment)
    blind = operations.is_blind(assignment, rubric)
    if form is None:
        form = review_form_class(rubric)(data=review_form_data(assignment))
    edit = operations.can_edit(assignment)
    others = []
    if assignment.review is not None and assignment.review.is_submitted:
        # only once their own review is in does a reviewer see the others' scores
        others = db.session.scalars(select(Review).join(ReviewAssignment).where(
            Review.application_id == assignment.application_id, Review.id != assignment.review.id,
            Review.status == "submitted", ReviewAssignment.status == "active").order_by(Review.id)).all()
    return render_template("reviews/review.html", assignment=assignment, application=assignment.application,
                           rubric=rubric, blind=blind, form=form, edit=edit, others=others,
                           progress=rubric_progress(rubric, form.review_input().scores),
                           status_label=STATUS_LABELS[assignment.review_status]), status


def review_form_data(assignment: ReviewAssignment) -> dict:
    return review_form_class(operations.rubric_for(assignment)).data_from(assignment.review)


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@allows("open", "review")
def review(assignment_id: int):
    assignment = load("review", assignment_id, "open")
    if assignment.coi_status == "undeclared":
        if request.method == "POST":
            abort(409, "Declare whether you have a conflict of interest before reviewing.")
        return render_template("reviews/declare.html", assignment=assignment, form=ConflictForm(),
                               blind=operations.is_blind(assignment))
    if request.method == "GET":
        return _review_page(assignment)
    rubric = operations.rubric_for(assignment)
    form = review_form_class(rubric)()
    submitting = request.form.get("action") == "submit"
    if not form.validate_on_submit():
        return _review_page(assignment, form, REFUSED)
    data = form.review_input()
    if submitting or (assignment.review is not None and assignment.review.is_submitted):
        problems = scoring.problems_for_submission(rubric, data)
        if problems:
            form.attach_problems(problems)
            return _review_page(assignment, form, REFUSED)
    try:
        scoring.save_review(assignment, current_user, data, submit=submitting)
    except Refused as exc:
        refuse_on(form, exc)
        return _review_page(assignment, form, REFUSED)
    if submitting:
        flash(f"Your review of {assignment.application.reference} is submitted. You can change it until the "
              "review deadline.", "success")
        return redirect(url_for("reviews.queue"))
    flash("Your review is saved." if assignment.review.is_submitted else "Your draft is saved.", "success")
    return redirect(url_for("reviews.review", assignment_id=assignment.id))


@bp.route("/assignments/<int:assignment_id>/conflict", methods=["POST"])
@allows("open", "review")
def declare(assignment_id: int):
    assignment = load("review", assignment_id, "open")
    form = ConflictForm()
    if form.validate_on_submit():
        try:
            operations.declare_conflict(assignment, current_user, has_conflict=form.has_conflict.data == "yes",
                                        reason=form.reason.data or "")
        except Refused as exc:
            refuse_on(form, exc, "has_conflict")
        else:
            if assignment.status == "recused":
                flash(f"You are recused from {assignment.application.reference}. The administrators are told "
                      "and another reviewer will be assigned. Thank you for declaring it.", "success")
                return redirect(url_for("reviews.queue"))
            return redirect(url_for("reviews.review", assignment_id=assignment.id))
    return render_template("reviews/declare.html", assignment=assignment, form=form,
                           blind=operations.is_blind(assignment)), REFUSED


@bp.route("/assignments/<int:assignment_id>/decline", methods=["GET", "POST"])
@allows("open", "review")
def decline(assignment_id: int):
    assignment = load("review", assignment_id, "open")
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            operations.decline_assignment(assignment, current_user, reason=form.reason.data or "")
        except Refused as exc:
            refuse_on(form, exc, "reason")
        else:
            flash(f"You declined {assignment.application.reference}; another reviewer will be assigned.",
                  "success")
            return redirect(url_for("reviews.queue"))
    return render_template("reviews/decline.html", assignment=assignment, form=form), form_status(form)


@bp.route("/profile", methods=["GET", "POST"])
@allows("own", "reviewer")
def my_profile():
    profile = operations.profile_for(current_user)
    form = ProfileForm(data=None if request.method == "POST" else profile_form_data(profile))
    fill_profile_choices(form)
    if form.validate_on_submit():
        try:
            operations.update_profile(current_user, current_user, expertise_themes=form.expertise_themes.data,
                                      conflicted_states=form.conflicted_states.data,
                                      conflicted_organisation_ids=form.conflicted_organisation_ids.data,
                                      conflict_notes=form.conflict_notes.data)
        except Refused as exc:
            refuse_on(form, exc, "expertise_themes")
        else:
            flash("Your reviewer profile is saved. Future assignments use it.", "success")
            return redirect(url_for("reviews.my_profile"))
    return render_template("reviews/profile.html", form=form, profile=profile, user=current_user,
                           own=True), form_status(form)


from . import admin_views  # noqa: E402,F401  (registers the administrators' routes on bp)
