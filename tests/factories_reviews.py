"""Factories for the review domain: reviewers with profiles, applications in
review, assignments and reviews. They add and flush; the test commits."""
from __future__ import annotations

from grantflow.core.db import utcnow
from grantflow.extensions import db
from grantflow.reviews.models import Review, ReviewAssignment, ReviewerProfile
from grantflow.reviews.rubrics import get_rubric

from tests import factories


def create_reviewer(*, expertise=("climate",), states=(), organisations=(), cap: int = 20, name=None,
                    organisation=None, email=None):
    user = factories.create_user("reviewer", name=name, organisation=organisation, email=email)
    db.session.add(ReviewerProfile(user_id=user.id, expertise_themes=list(expertise),
                                   conflicted_states=list(states),
                                   conflicted_organisation_ids=[o.id for o in organisations],
                                   max_applications_per_round=cap))
    db.session.flush()
    return user


def create_in_review(round_=None, *, themes=("climate",), state="IA", organisation=None, **kwargs):
    organisation = organisation or factories.create_organisation(state=state)
    return factories.create_application(round_, organisation, state="in_review", themes=list(themes), **kwargs)


def create_assignment(application, reviewer, *, coi: str = "none", status: str = "active", match: int = 100):
    assignment = ReviewAssignment(round_id=application.round_id, application=application, reviewer=reviewer,
                                  status=status, coi_status=coi, match_score=match,
                                  coi_declared_at=None if coi == "undeclared" else utcnow(),
                                  ended_at=None if status == "active" else utcnow())
    db.session.add(assignment)
    db.session.flush()
    return assignment


def create_review(assignment, *, scores: dict | None = None, recommendation: str | None = "fund",
                  submitted: bool = True, comments: dict | None = None):
    """``scores`` default to 4 on every criterion of the round's rubric."""
    rubric = get_rubric(assignment.round.rubric_key)
    scores = scores if scores is not None else {c.id: 4 for c in rubric.criteria}
    review = Review(assignment=assignment, application_id=assignment.application_id,
                    reviewer_id=assignment.reviewer_id, rubric_key=rubric.key, rubric_version=rubric.version,
                    scores=scores, comments=comments or {}, recommendation=recommendation,
                    weighted_score=rubric.weighted_score(scores), status="submitted" if submitted else "draft",
                    submitted_at=utcnow() if submitted else None)
    db.session.add(review)
    db.session.flush()
    return review


def complete_reviews_of(application, count: int | None = None):
    """Assign ``count`` (default: the round's k) reviewers and submit their reviews."""
    count = count or application.round.reviews_per_application
    reviews = []
    for _ in range(count):
        reviewer = create_reviewer()
        reviews.append(create_review(create_assignment(application, reviewer)))
    return reviews
