"""The administrators' review pages: rounds, assignment, reviewer profiles,
the reviews of one application, and the ranking with its decisions."""
from __future__ import annotations

from datetime import timezone

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from ..applications.models import Application
from ..core import jobs, navigation
from ..core.models import AuditEvent, BackgroundJob
from ..core.params import page_number
from ..core.policy import allows, load
from ..core.refusal import REFUSED, Refused, form_status, refuse_on
from ..core.web import roll_back_request
from ..core.workflow import TransitionRefused, fire, may, meaning
from ..extensions import db
from ..funds.models import Fund, Round
from ..users.models import User, UserRole
from . import operations
from .assigning import REVIEWING, assign_reviewers
from .forms import AddReviewerForm, AdminProfileForm, AssignForm, RemoveReviewerForm, RoundReviewSettingsForm
from .models import DEFAULT_MAX_PER_ROUND, Review, ReviewAssignment, ReviewerProfile
from .profiles import fill_profile_choices, profile_form_data
from .ranking import SORTS, award_moves, build_ranking, decision_moves
from .ranking import round_settings as ranking_settings
from .rubrics import latest_rubrics
from .scoring import review_counts_known
from .views import bp

navigation.register("Reviews", "reviews.rounds", ("admin",), order=30)
navigation.register("Reviewers", "reviews.reviewers", ("admin",), order=35)

ASSIGN_TASK = "grantflow.reviews.tasks.assign_round"
APPLICATIONS_PER_PAGE = 25
# the preview runs inside the request: fair mode gets less time there than in the job (its gap is shown)
PREVIEW_TIME_LIMIT = 20.0
RANKING_PER_PAGE = 50


@bp.route("/admin/rounds")
@allows("manage", "round")
def rounds():
    all_rounds = db.session.scalars(select(Round).join(Fund).options(joinedload(Round.fund))
                                    .order_by(Round.opens_at.desc())).all()
    under_review = dict(db.session.execute(select(Application.round_id, func.count()).where(
        meaning.in_stages(Application, REVIEWING)).group_by(Application.round_id)).all())
    assigned = dict(db.session.execute(select(ReviewAssignment.round_id, func.count()).where(
        ReviewAssignment.status == "active").group_by(ReviewAssignment.round_id)).all())
    submitted = dict(db.session.execute(select(ReviewAssignment.round_id, func.count()).join(Review).where(
        ReviewAssignment.status == "active", Review.status == "submitted").group_by(ReviewAssignment.round_id)).all())
    return render_template("reviews/admin_rounds.html", rounds=all_rounds, under_review=under_review,
                           assigned=assigned, submitted=submitted)


def _reviewer_choices() -> list[SelectChoice]:
    reviewers = db.session.execute(select(User.id, User.name).join(UserRole).where(
        UserRole.role == "reviewer", User.is_active_account.is_(True)).order_by(User.name)).all()
    return [SelectChoice(r.id, r.name) for r in reviewers]


def _assignments_page(round_, *, preview=None, status: int = 200, add_form=None, add_for: int | None = None):
    """One page of the round's applications with their reviewers (a round can
    have thousands); ``?missing=1`` keeps those still short of reviewers. After
    a refused "add", only that application is shown, with its error."""
    k = round_.reviews_per_application
    active = (select(ReviewAssignment.application_id, func.count().label("n"))
              .where(ReviewAssignment.round_id == round_.id, ReviewAssignment.status == "active")
              .group_by(ReviewAssignment.application_id).subquery())
    assigned = func.coalesce(active.c.n, 0)
    under_review = (select(Application).outerjoin(active, active.c.application_id == Application.id)
                 .where(Application.round_id == round_.id, meaning.in_stages(Application, *meaning.PANEL_STAGES)))
    missing_only = request.args.get("missing") == "1"
    if add_for:
        query = under_review.where(Application.id == add_for)
    else:
        # "short" means what an assignment run would fill: applications in review with places open
        query = under_review.where(assigned < k, meaning.in_stages(Application, REVIEWING)) if missing_only \
            else under_review
    page = db.paginate(query.options(joinedload(Application.organisation)).order_by(Application.id),
                       page=page_number(), per_page=APPLICATIONS_PER_PAGE, error_out=False)
    applications = list(page.items)
    short = (select((k - assigned).label("missing")).select_from(Application)
             .outerjoin(active, active.c.application_id == Application.id)
             .where(Application.round_id == round_.id, meaning.in_stages(Application, REVIEWING),
                    assigned < k).subquery())
    totals = db.session.execute(select(func.count(), func.coalesce(func.sum(short.c.missing), 0))).one()
    assignments = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.application_id.in_([a.id for a in applications] or [0]))
        .options(joinedload(ReviewAssignment.reviewer), selectinload(ReviewAssignment.review))
        .order_by(ReviewAssignment.id)).all()
    by_app: dict[int, list[ReviewAssignment]] = {}
    for assignment in assignments:
        by_app.setdefault(assignment.application_id, []).append(assignment)
    ended = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.round_id == round_.id, ReviewAssignment.status != "active")
        .options(joinedload(ReviewAssignment.reviewer), joinedload(ReviewAssignment.application))
        .order_by(ReviewAssignment.ended_at.desc())).all()
    last_job = db.session.scalar(select(BackgroundJob).where(
        BackgroundJob.task == ASSIGN_TASK, BackgroundJob.args["round_id"].as_integer() == round_.id)
        .order_by(BackgroundJob.id.desc()).limit(1))
    return render_template("reviews/admin_assignments.html", round=round_, applications=applications, page=page,
                           missing_only=missing_only, short_count=totals[0], missing_places=totals[1],
                           by_app=by_app, ended=ended, preview=preview, last_job=last_job,
                           assign_form=AssignForm(), reviewer_choices=_reviewer_choices(), add_form=add_form,
                           add_for=add_for, remove_form=RemoveReviewerForm()), status


@bp.route("/admin/rounds/<int:round_id>/settings", methods=["GET", "POST"])
@allows("manage", "round")
def round_settings(round_id: int):
    round_ = load("round", round_id, "manage")
    current = {"rubric_key": round_.rubric_key, "reviews_per_application": round_.reviews_per_application,
               "review_due_at": round_.review_due_at.replace(tzinfo=None) if round_.review_due_at else None,
               "is_blind_review": round_.is_blind_review,
               "disagreement_threshold": ranking_settings(round_)["disagreement"]}
    form = RoundReviewSettingsForm(data=None if request.method == "POST" else current)
    form.rubric_key.choices = [SelectChoice(key, f"{rubric.title} ({key}, latest version {rubric.version})")
                               for key, rubric in sorted(latest_rubrics().items())]
    if form.validate_on_submit():
        due = form.review_due_at.data
        try:
            operations.update_review_settings(
                round_, current_user, rubric_key=form.rubric_key.data,
                reviews_per_application=form.reviews_per_application.data,
                review_due_at=due.replace(tzinfo=timezone.utc) if due else None,
                is_blind_review=form.is_blind_review.data,
                disagreement_threshold=float(form.disagreement_threshold.data))
        except Refused as exc:
            refuse_on(form, exc, "rubric_key")
        else:
            flash(f"Review settings of {round_.name} saved.", "success")
            return redirect(url_for("reviews.rounds"))
    return render_template("reviews/round_settings.html", round=round_, form=form), form_status(form)


@bp.route("/admin/rounds/<int:round_id>/assignments")
@allows("manage", "round")
def assignments(round_id: int):
    return _assignments_page(load("round", round_id, "manage"))


@bp.route("/admin/rounds/<int:round_id>/assign", methods=["POST"])
@allows("manage", "round")
def run_assignment(round_id: int):
    round_ = load("round", round_id, "manage")
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("action") == "preview":
        report = assign_reviewers(round_, current_user, dry_run=True, fair=form.fair.data,
                                  time_limit=PREVIEW_TIME_LIMIT)
        return _assignments_page(round_, preview=report.as_dict())
    jobs.enqueue(ASSIGN_TASK, actor=current_user, round_id=round_.id, fair=bool(form.fair.data),
                 allow_partial=bool(form.allow_partial.data))
    flash("Assignment started. The result is below (reload the page if it says “running”).", "info")
    return redirect(url_for("reviews.assignments", round_id=round_.id))


@bp.route("/admin/applications/<int:application_id>/reviewers", methods=["POST"])
@allows("manage", "application")
def add_reviewer(application_id: int):
    application = load("application", application_id, "manage")
    form = AddReviewerForm()
    form.reviewer_id.choices = _reviewer_choices()
    if form.validate_on_submit():
        reviewer = db.session.get(User, form.reviewer_id.data)
        try:
            operations.add_reviewer(application, reviewer, current_user)
        except Refused as exc:
            refuse_on(form, exc, "reviewer_id")
        else:
            flash(f"{reviewer.name} now reviews {application.reference}.", "success")
            return redirect(url_for("reviews.assignments", round_id=application.round_id,
                                    _anchor=f"app-{application.id}"))
    return _assignments_page(application.round, status=REFUSED, add_form=form, add_for=application.id)


@bp.route("/admin/assignments/<int:assignment_id>/remove", methods=["POST"])
@allows("manage", "review")
def remove_reviewer(assignment_id: int):
    assignment = load("review", assignment_id, "manage")
    form = RemoveReviewerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.remove_reviewer(assignment, current_user, reason=form.reason.data or "")
    except Refused as exc:
        abort(409, str(exc))
    flash(f"{assignment.reviewer.name} no longer reviews {assignment.application.reference}. Run the assignment "
          "again to fill the place.", "success")
    return redirect(url_for("reviews.assignments", round_id=assignment.round_id,
                            _anchor=f"app-{assignment.application_id}"))


@bp.route("/admin/applications/<int:application_id>/reviews")
@allows("manage", "application")
def application_reviews(application_id: int):
    application = load("application", application_id, "manage")
    assignments = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.application_id == application.id)
        .options(joinedload(ReviewAssignment.reviewer), selectinload(ReviewAssignment.review))
        .order_by(ReviewAssignment.id)).all()
    history = db.session.scalars(select(AuditEvent).where(
        AuditEvent.application_id == application.id, AuditEvent.action.like("review.%"))
        .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id)).all()
    rubrics = {a.id: operations.rubric_for(a) for a in assignments if a.review is not None}
    return render_template("reviews/admin_application.html", application=application, assignments=assignments,
                           rubrics=rubrics, history=history)


@bp.route("/admin/reviewers")
@allows("manage", "reviewer")
def reviewers():
    users = db.session.scalars(select(User).join(UserRole).where(UserRole.role == "reviewer")
                               .order_by(User.name)).all()
    profiles = {p.user_id: p for p in db.session.scalars(select(ReviewerProfile)).all()}
    load = dict(db.session.execute(select(ReviewAssignment.reviewer_id, func.count()).where(
        ReviewAssignment.status == "active").group_by(ReviewAssignment.reviewer_id)).all())
    from .themes import theme_labels

    return render_template("reviews/admin_reviewers.html", users=users, profiles=profiles, load=load,
                           theme_labels=theme_labels(), default_cap=DEFAULT_MAX_PER_ROUND)


@bp.route("/admin/reviewers/<int:user_id>", methods=["GET", "POST"])
@allows("manage", "reviewer")
def edit_reviewer(user_id: int):
    user = load("reviewer", user_id, "manage")
    profile = operations.profile_for(user)
    form = AdminProfileForm(data=None if request.method == "POST" else profile_form_data(profile))
    fill_profile_choices(form)
    if form.validate_on_submit():
        try:
            operations.update_profile(user, current_user, expertise_themes=form.expertise_themes.data,
                                      conflicted_states=form.conflicted_states.data,
                                      conflicted_organisation_ids=form.conflicted_organisation_ids.data,
                                      conflict_notes=form.conflict_notes.data,
                                      max_applications_per_round=form.max_applications_per_round.data)
        except Refused as exc:
            refuse_on(form, exc, "expertise_themes")
        else:
            flash(f"{user.name}'s reviewer profile is saved.", "success")
            return redirect(url_for("reviews.reviewers"))
    return render_template("reviews/profile.html", form=form, profile=profile, user=user,
                           own=False), form_status(form)


@bp.route("/admin/rounds/<int:round_id>/ranking")
@allows("manage", "round")
def ranking(round_id: int):
    round_ = load("round", round_id, "manage")
    sort = request.args.get("sort", "calibrated")
    direction = request.args.get("dir")
    descending = None if direction not in ("asc", "desc") else direction == "desc"
    result = build_ranking(round_, sort=sort, descending=descending)
    shown = result.page(page_number(), RANKING_PER_PAGE)
    endpoints = current_app.view_functions
    award_page = "awards.new_award" if "awards.new_award" in endpoints else None
    # the guards behind each action cost queries: only for the rows on this page, and not for an
    # award, whose terms page checks its own guard (the ranking only links to it)
    with review_counts_known({row.application.id: (row.assigned, row.stats.count) for row in shown.items}):
        actions = {row.application.id: [(t, None if award_page and t in awards
                                          else may(row.application, t.trigger, current_user), t in awards)
                                         for t in decision_moves(row.application)]
                   for row in shown.items for awards in [award_moves(row.application)]}
    return render_template("reviews/ranking.html", ranking=result, shown=shown, actions=actions, sorts=list(SORTS),
                           award_page=award_page,
                           move_page="core.fire_transition" if "core.fire_transition" in endpoints else None)


@bp.route("/admin/applications/<int:application_id>/decision", methods=["POST"])
@allows("manage", "application")
def decide(application_id: int):
    application = load("application", application_id, "manage")
    trigger = request.form.get("trigger")
    transition = next((t for t in decision_moves(application) if t.trigger == trigger), None)
    if transition is None:
        abort(400, "Unknown decision.")
    form = AssignForm()  # only for its CSRF check
    if not form.validate_on_submit():
        abort(400)
    data = {}
    if transition in award_moves(application):
        data["amount_cents"] = application.amount_requested_cents
    try:
        fire(application, trigger, current_user, comment=(request.form.get("comment") or "").strip() or None,
             data=data, expected_version=request.form.get("version", type=int))
    except TransitionRefused as exc:
        roll_back_request()
        flash(f"{application.reference}: {exc}", "error")
        return redirect(url_for("reviews.ranking", round_id=application.round_id))
    flash(f"{application.reference}: {application.state_label}.", "success")
    return redirect(url_for("reviews.ranking", round_id=application.round_id, sort=request.form.get("sort"),
                            dir=request.form.get("dir"), page=request.form.get("page")))
