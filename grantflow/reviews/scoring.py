"""Writing a review: drafts, the submission rules, and the last review of an
application closing its reviews. Verbs take the acting user, flush, never commit."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from ..core.audit import record_event
from ..core.db import utcnow
from ..core.refusal import Refused
from ..core.workflow import advance_as_system, lock, meaning
from ..extensions import db
from ..users.models import User
from .assigning import REVIEWING
from .calibration_store import refit_after_commit
from .models import Review, ReviewAssignment
from .operations import can_edit, rubric_for
from .rubrics import Rubric

@dataclass
class ReviewInput:
    scores: dict
    comments: dict
    recommendation: str | None
    overall_comment: str


def problems_for_submission(rubric: Rubric, data: ReviewInput) -> dict[str, str]:
    """Field name -> message; empty when the review can be submitted."""
    found = {}
    for criterion in rubric.criteria:
        score = data.scores.get(criterion.id)
        if score is None:
            found[f"score_{criterion.id}"] = "Choose a score."
        elif criterion.needs_comment(score) and not (data.comments.get(criterion.id) or "").strip():
            found[f"comment_{criterion.id}"] = (f"Explain a score below {criterion.comment_required_below} "
                                                "in a comment.")
    if data.recommendation not in dict(rubric.recommendations):
        found["recommendation"] = "Choose a recommendation."
    return found


def save_review(assignment: ReviewAssignment, actor: User, data: ReviewInput, *, submit: bool) -> Review:
    if assignment.reviewer_id != actor.id:
        raise Refused("Only the assigned reviewer can write this review.")
    decision = can_edit(assignment)
    if not decision:
        raise Refused(decision.reason)
    rubric = rubric_for(assignment)
    review = assignment.review
    if review is None:
        review = Review(assignment=assignment, application_id=assignment.application_id, reviewer_id=actor.id,
                        rubric_key=rubric.key, rubric_version=rubric.version)
        db.session.add(review)
    valid = {c.id for c in rubric.criteria}
    review.scores = {cid: int(v) for cid, v in data.scores.items() if cid in valid and v is not None}
    review.comments = {cid: text.strip() for cid, text in data.comments.items() if cid in valid and (text or "").strip()}
    review.recommendation = data.recommendation if data.recommendation in dict(rubric.recommendations) else None
    review.overall_comment = (data.overall_comment or "").strip()
    review.weighted_score = rubric.weighted_score(review.scores)
    was_submitted = review.is_submitted
    if submit or was_submitted:
        problems = problems_for_submission(rubric, data)
        if problems:
            raise Refused("The review is not complete: " + " ".join(sorted(set(problems.values()))))
        if not was_submitted:
            review.status, review.submitted_at = "submitted", utcnow()
    db.session.flush()
    action = "review.submitted" if submit and not was_submitted else (
        "review.edited_after_submission" if was_submitted else "review.draft_saved")
    record_event(actor=actor, action=action, subject=review, application=assignment.application,
                 data={"weighted_score": review.weighted_score, "recommendation": review.recommendation})
    if review.is_submitted:  # a draft is not in the round's calibration; a submission or an edit moves it
        refit_after_commit(assignment.round_id)
    if submit and not was_submitted:
        complete_when_all_in(assignment.application)
    return review


#: (active assignments, submitted reviews) per application id, already read by the page asking
_known_counts: ContextVar[dict[int, tuple[int, int]] | None] = ContextVar("known_review_counts", default=None)


@contextmanager
def review_counts_known(counts: dict[int, tuple[int, int]]):
    """Within the block, ``active_and_submitted`` answers from ``counts`` (the
    ranking reads them for the whole round in one query, then asks the decision
    guards of every row it shows: a query per row otherwise)."""
    token = _known_counts.set(counts)
    try:
        yield
    finally:
        _known_counts.reset(token)


def active_and_submitted(application_id: int) -> tuple[int, int]:
    """(active assignments, their submitted reviews) in one query."""
    known = _known_counts.get()
    if known is not None and application_id in known:
        return known[application_id]
    submitted_review = and_(Review.assignment_id == ReviewAssignment.id, Review.status == "submitted")
    active, submitted = db.session.execute(
        select(func.count(ReviewAssignment.id), func.count(Review.id))
        .select_from(ReviewAssignment).outerjoin(Review, submitted_review)
        .where(ReviewAssignment.application_id == application_id, ReviewAssignment.status == "active")).one()
    return active, submitted


def complete_when_all_in(application) -> None:
    """The last of the round's k reviews closes the reviews (as the system).

    The application's row is locked before counting: two reviewers submitting
    the last two reviews at once would otherwise each miss the other's."""
    lock(application)
    if not meaning.is_in(application, REVIEWING):
        return
    active, submitted = active_and_submitted(application.id)
    if active >= application.round.reviews_per_application and submitted == active:
        advance_as_system(application, comment="All assigned reviews are submitted.")
