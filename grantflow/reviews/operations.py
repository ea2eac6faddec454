"""Verbs of the review domain. Each takes the acting user explicitly, checks
what it must, audits, flushes and never commits."""
from __future__ import annotations

from sqlalchemy import func, select

from ..core.audit import record_event
from ..core.db import utcnow
from ..core.mail import send_email
from ..core.permissions import ALLOW, Decision, deny
from ..core.refusal import Refused
from ..core.workflow import meaning
from ..extensions import db
from ..organisations.models import US_STATES
from ..users.models import User
from ..users.operations import active_admins
from .assigning import REVIEWING, assign_reviewers
from .models import ReviewAssignment, ReviewerProfile
from .rubrics import Rubric, get_rubric
from .themes import expertise_match



# --- profiles -----------------------------------------------------------

def profile_for(user: User) -> ReviewerProfile:
    profile = db.session.get(ReviewerProfile, user.id)
    if profile is None:
        profile = ReviewerProfile(user_id=user.id, expertise_themes=[], conflicted_states=[],
                                  conflicted_organisation_ids=[])
        db.session.add(profile)
        db.session.flush()
    return profile


def update_profile(user: User, actor: User, *, expertise_themes: list[str], conflicted_states: list[str],
                   conflicted_organisation_ids: list[int], conflict_notes: str = "",
                   max_applications_per_round: int | None = None) -> ReviewerProfile:
    """Reviewers edit their own expertise and conflicts; only an admin changes the cap."""
    if actor.id != user.id and not actor.has_role("admin"):
        raise Refused("Only the reviewer or an administrator can change this profile.")
    expertise_themes = list(expertise_themes or [])
    conflicted_states = list(conflicted_states or [])
    conflicted_organisation_ids = list(conflicted_organisation_ids or [])
    unknown = [s for s in conflicted_states if s not in US_STATES]
    if unknown:
        raise Refused(f"Unknown state or territory code: {', '.join(unknown)}.", field="conflicted_states")
    profile = profile_for(user)
    before = {"expertise_themes": list(profile.expertise_themes), "conflicted_states": list(profile.conflicted_states),
              "conflicted_organisation_ids": list(profile.conflicted_organisation_ids),
              "max_applications_per_round": profile.max_applications_per_round}
    profile.expertise_themes = sorted(set(expertise_themes))
    profile.conflicted_states = sorted(set(conflicted_states))
    profile.conflicted_organisation_ids = sorted({int(i) for i in conflicted_organisation_ids})
    profile.conflict_notes = (conflict_notes or "").strip()
    if max_applications_per_round is not None:
        if not actor.has_role("admin"):
            raise Refused("Only an administrator can change how many applications you review.",
                          field="max_applications_per_round")
        if max_applications_per_round < 0:
            raise Refused("Enter 0 or more.", field="max_applications_per_round")
        profile.max_applications_per_round = max_applications_per_round
    db.session.flush()
    after = {key: getattr(profile, key) for key in before}
    record_event(actor=actor, action="reviewer.profile_updated", subject=profile,
                 data={"user_id": user.id, "before": before, "after": after})
    return profile


def update_review_settings(round_, actor: User, *, rubric_key: str, reviews_per_application: int,
                           review_due_at, is_blind_review: bool, disagreement_threshold: float):
    """A round's review policy; audited with the values before and after."""
    if not actor.has_role("admin"):
        raise Refused("Only an administrator can change a round's review settings.")
    get_rubric(rubric_key)  # raises for an unknown key
    if not 1 <= reviews_per_application <= 10:
        raise Refused("Enter 1 to 10.", field="reviews_per_application")
    if review_due_at is not None and review_due_at.tzinfo is None:
        raise ValueError("review_due_at must be timezone-aware (UTC)")

    def snapshot():
        return {"rubric_key": round_.rubric_key, "reviews_per_application": round_.reviews_per_application,
                "review_due_at": round_.review_due_at.isoformat() if round_.review_due_at else None,
                "is_blind_review": round_.is_blind_review,
                "disagreement_threshold": (round_.settings or {}).get("review_disagreement_threshold")}
    before = snapshot()
    round_.rubric_key = rubric_key
    round_.reviews_per_application = reviews_per_application
    round_.review_due_at = review_due_at
    round_.is_blind_review = is_blind_review
    round_.settings = {**(round_.settings or {}), "review_disagreement_threshold": float(disagreement_threshold)}
    db.session.flush()
    record_event(actor=actor, action="review.settings_updated", subject=round_,
                 data={"before": before, "after": snapshot()})
    return round_


# --- who may do what --------------------------------------------------------

def is_blind(assignment: ReviewAssignment, rubric: Rubric | None = None) -> bool:
    """Blind when the round or the rubric asks for it: the stricter one wins."""
    round_ = assignment.round
    if round_.is_blind_review:
        return True
    rubric = rubric or rubric_for(assignment)
    return rubric.is_blind


def rubric_for(assignment: ReviewAssignment) -> Rubric:
    """The version a review was scored against, or the round's latest for a new one."""
    review = assignment.review
    if review is not None:
        return get_rubric(review.rubric_key, review.rubric_version)
    round_ = assignment.round
    return get_rubric(round_.rubric_key or round_.form_key, round_.rubric_version if round_.rubric_key else None)


def can_open(assignment: ReviewAssignment, user: User) -> Decision:
    if assignment.reviewer_id != user.id:
        return deny("This application is assigned to another reviewer.")
    if assignment.status != "active":
        return deny(f"You no longer review this application ({assignment.status_label.lower()}).")
    if not meaning.is_in(assignment.application, *meaning.PANEL_STAGES) and assignment.review is None:
        return deny("This application is no longer in review.")
    return ALLOW


def can_edit(assignment: ReviewAssignment, now=None) -> Decision:
    """Drafts and submitted reviews can be changed until the review deadline."""
    if assignment.status != "active" or assignment.coi_status != "none":
        return deny("Declare that you have no conflict of interest first.")
    if not meaning.is_in(assignment.application, *meaning.PANEL_STAGES):
        return deny("The application is no longer in review; your review is read-only.")
    due = assignment.round.review_due_at
    if due is not None and (now or utcnow()) >= due:
        return deny(f"The review deadline passed on {due:%B %-d, %Y at %H:%M} UTC; your review is read-only. "
                    "Ask the fund administrator if you need more time.")
    return ALLOW


# --- conflicts of interest, declines, replacement --------------------------

def _replace(assignment: ReviewAssignment) -> tuple[list[str], list[str]]:
    """Re-run the assignment for this one application; (names added, explanations)."""
    application = assignment.application
    if not meaning.is_in(application, REVIEWING):
        return [], [f"{application.reference} is no longer in review, so no replacement is needed."]
    report = assign_reviewers(application.round, None, application_ids=[application.id])
    names = [db.session.get(User, reviewer_id).name for _, reviewer_id, _ in report.pairs]
    close_reviews_if_complete(application)
    return names, report.explanations


def close_reviews_if_complete(application) -> None:
    """Whenever the panel changes, the reviews may now all be in."""
    from .scoring import complete_when_all_in

    complete_when_all_in(application)


def declare_conflict(assignment: ReviewAssignment, actor: User, *, has_conflict: bool,
                     reason: str = "") -> ReviewAssignment:
    if assignment.reviewer_id != actor.id:
        raise Refused("Only the assigned reviewer can declare their conflicts of interest.")
    if assignment.status != "active":
        raise Refused("You no longer review this application.")
    if assignment.review is not None and assignment.review.is_submitted:
        raise Refused("You already submitted your review of this application.")
    reason = (reason or "").strip()
    if has_conflict and not reason:
        raise Refused("Say briefly what the conflict is (for example: “I advise this city's mayor”).",
                      field="reason")
    now = utcnow()
    assignment.coi_declared_at = now
    if not has_conflict:
        assignment.coi_status = "none"
        db.session.flush()
        record_event(actor=actor, action="review.no_conflict_declared", subject=assignment,
                     application=assignment.application)
        return assignment
    assignment.coi_status = "conflict"
    assignment.status = "recused"
    assignment.conflict_reason = reason
    assignment.ended_at, assignment.ended_by_id, assignment.ended_reason = now, actor.id, reason
    db.session.flush()
    record_event(actor=actor, action="review.recused", subject=assignment, application=assignment.application,
                 comment=reason, data={"reviewer_id": actor.id})
    names, explanations = _replace(assignment)
    for admin in active_admins():
        send_email(admin.email, "review_recused", admin=admin, reviewer=actor, application=assignment.application,
                   reason=reason, replaced_by=names, explanations=explanations)
    return assignment


def decline_assignment(assignment: ReviewAssignment, actor: User, *, reason: str = "") -> ReviewAssignment:
    if assignment.reviewer_id != actor.id:
        raise Refused("Only the assigned reviewer can decline.")
    if assignment.status != "active":
        raise Refused("You no longer review this application.")
    if assignment.review is not None and assignment.review.is_submitted:
        raise Refused("You already submitted your review; it cannot be declined now.")
    reason = (reason or "").strip()
    assignment.status = "declined"
    assignment.ended_at, assignment.ended_by_id, assignment.ended_reason = utcnow(), actor.id, reason or None
    db.session.flush()
    record_event(actor=actor, action="review.declined", subject=assignment, application=assignment.application,
                 comment=reason, data={"reviewer_id": actor.id})
    names, explanations = _replace(assignment)
    for admin in active_admins():
        send_email(admin.email, "review_declined", admin=admin, reviewer=actor, application=assignment.application,
                   reason=reason, replaced_by=names, explanations=explanations)
    return assignment


# --- administrators by hand -------------------------------------------------

def declared_conflict(application, reviewer: User, profile: ReviewerProfile) -> str | None:
    """Why the pair is excluded (the same rules as ``assigning.load_round``), or None."""
    organisation = application.organisation
    if reviewer.organisation_id is not None and reviewer.organisation_id == application.organisation_id:
        return "they work for the applying organization"
    if organisation.state in (profile.conflicted_states or []):
        return f"they declared a conflict with applicants from {organisation.state_name}"
    if application.organisation_id in (profile.conflicted_organisation_ids or []):
        return f"they declared a conflict with {organisation.name}"
    return None


def add_reviewer(application, reviewer: User, actor: User) -> ReviewAssignment:
    """Assign by hand, with the same rules as the solver: no conflict, no
    pair twice, within the reviewer's cap."""
    if not reviewer.has_role("reviewer") or not reviewer.is_active:
        raise Refused(f"{reviewer.name} is not an active reviewer.", field="reviewer_id")
    if not meaning.is_in(application, *meaning.PANEL_STAGES):
        raise Refused("Reviewers can only be added while the application is in review.")
    existing = db.session.scalar(select(ReviewAssignment).where(
        ReviewAssignment.application_id == application.id, ReviewAssignment.reviewer_id == reviewer.id))
    if existing is not None and existing.status in ("active", "recused"):
        raise Refused(f"{reviewer.name} is already on this application ({existing.status_label.lower()}).",
                      field="reviewer_id")
    profile = profile_for(reviewer)
    conflict = declared_conflict(application, reviewer, profile)
    if conflict:
        raise Refused(f"{reviewer.name} has a conflict of interest with this applicant: {conflict}.",
                      field="reviewer_id")
    load = db.session.scalar(select(func.count()).select_from(ReviewAssignment).where(
        ReviewAssignment.round_id == application.round_id, ReviewAssignment.reviewer_id == reviewer.id,
        ReviewAssignment.status == "active"))
    if load >= profile.max_applications_per_round:
        raise Refused(f"{reviewer.name} already has {load} applications in this round, their cap. "
                      "Raise the cap on their profile first.", field="reviewer_id")
    match = expertise_match(application.themes, profile.expertise_themes)
    if existing is not None:  # a declined or removed reviewer brought back on purpose
        assignment = existing
        assignment.status, assignment.source = "active", "manual"
        assignment.ended_at = assignment.ended_by_id = assignment.ended_reason = None
        assignment.assigned_by_id, assignment.match_score = actor.id, match
    else:
        assignment = ReviewAssignment(round_id=application.round_id, application=application, reviewer=reviewer,
                                      source="manual", match_score=match, assigned_by_id=actor.id)
        db.session.add(assignment)
    db.session.flush()
    record_event(actor=actor, action="review.assigned", subject=assignment, application=application,
                 data={"reviewer_id": reviewer.id, "match": match, "source": "manual"})
    send_email(reviewer.email, "review_assigned", reviewer=reviewer, round=application.round, count=1)
    return assignment


def remove_reviewer(assignment: ReviewAssignment, actor: User, *, reason: str = "") -> ReviewAssignment:
    if assignment.status != "active":
        raise Refused("This reviewer is not assigned any more.")
    if assignment.review is not None and assignment.review.is_submitted:
        raise Refused("This reviewer has submitted their review; submitted reviews are kept.")
    assignment.status = "removed"
    assignment.ended_at, assignment.ended_by_id = utcnow(), actor.id
    assignment.ended_reason = (reason or "").strip() or None
    db.session.flush()
    record_event(actor=actor, action="review.removed", subject=assignment, application=assignment.application,
                 comment=reason, data={"reviewer_id": assignment.reviewer_id})
    close_reviews_if_complete(assignment.application)
    return assignment


def __getattr__(name: str):
    """Writing a review lives in scoring.py; its verbs stay importable from
    here, where other domains (the demo seed) first found them. Looked up on
    use, since scoring imports this module."""
    if name in ("ReviewInput", "problems_for_submission", "save_review"):
        from . import scoring

        return getattr(scoring, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
