"""Who may do what to reviews and reviewers (``core.policy``).

A review assignment is its reviewer's alone: another reviewer's does not
exist as far as they can tell (404), and once it is closed to them (declined,
removed, out of review) they are told why (403). Staff assign, remove and
read reviews from their own pages; reviewers keep their own profile."""
from __future__ import annotations

from ..core.policy import ALLOW, deny, has_role, hidden, kind, staff
from ..extensions import db
from ..users.models import User
from .models import ReviewAssignment

NOT_REVIEWER = "These pages are for reviewers."

review = kind("review", model=ReviewAssignment)
review.action("manage")(staff)


@review.action("score")
def own_assignment(user, assignment) -> object:
    """The reviewer's queue and their own assignments."""
    if not has_role(user, "reviewer"):
        return deny(NOT_REVIEWER)
    if assignment is None or assignment.reviewer_id == user.id:
        return ALLOW
    return hidden()


@review.action("open")
def open_assignment(user, assignment) -> object:
    """Their own assignment, while it is still theirs to work on."""
    from .operations import can_open

    decision = own_assignment(user, assignment)
    if not decision or assignment is None:
        return decision
    return can_open(assignment, user)


def _reviewer(user_id):
    user = db.session.get(User, user_id)
    return user if user is not None and user.has_role("reviewer") else None


#: a person in their reviewer role (profile: themes, places, capacity)
reviewer = kind("reviewer", fetch=_reviewer)
reviewer.action("manage")(staff)


@reviewer.action("own")
def own_profile(user, obj) -> object:
    if not has_role(user, "reviewer"):
        return deny(NOT_REVIEWER)
    return ALLOW if obj is None or obj.id == user.id else hidden()
