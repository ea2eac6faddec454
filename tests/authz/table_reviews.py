"""Authorisation table: the review domain. Format: README.md.

Reviewer pages answer the assigned reviewer only (another reviewer's
assignment is 404); administrators' pages are under /reviews/admin. Empty
POSTs: a review saves as a draft (302), a conflict declaration without an
answer is refused (400), a decline needs no reason (302)."""
from tests.factories_reviews import create_assignment, create_in_review

SCENARIO = {
    "review_assignment": lambda s: create_assignment(create_in_review(s.round, organisation=s.organisation),
                                                     s.reviewer, coi="none"),
}
URL_ARGS = {
    "assignment_id": "review_assignment.id",
    "user_id": "reviewer.id",
}

REVIEWER = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 200, "admin": 403}
ADMIN = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 200}


def _admin_post(status):
    return {**ADMIN, "admin": status}


def _reviewer_post(status):
    return {**REVIEWER, "reviewer": status}


ROUTES = {
    "reviews.queue": {**REVIEWER, "needs": ["review_assignment"]},
    "reviews.review": {**REVIEWER, "post": _reviewer_post(302)},
    "reviews.declare": _reviewer_post(422),
    "reviews.decline": {**REVIEWER, "post": _reviewer_post(302)},
    "reviews.my_profile": {**REVIEWER, "post": _reviewer_post(302)},
    "reviews.rounds": ADMIN,
    "reviews.assignments": ADMIN,
    "reviews.run_assignment": _admin_post(302),
    "reviews.add_reviewer": _admin_post(422),
    "reviews.remove_reviewer": _admin_post(302),
    "reviews.application_reviews": ADMIN,
    "reviews.reviewers": ADMIN,
    "reviews.edit_reviewer": {**ADMIN, "post": _admin_post(422)},
    "reviews.ranking": ADMIN,
    # an empty POST lacks the required numbers: the form comes back with its errors
    "reviews.round_settings": {**ADMIN, "post": _admin_post(422)},
    "reviews.decide": _admin_post(400),
}
