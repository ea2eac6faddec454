"""Authorisation table: the mentor network. Format: README.md.

Members' pages are for applicants (applicants and grantees); the scenario's
applicant prepares an application, so they may ask for a mentor, but they hold
no grant, so offering to mentor is refused (403, with the reason); the other
applicant has no application at all. A match is seen by its two parties and
administrators; anyone else learns nothing of it (404). The administrators'
page and its buttons are theirs alone; a refused or empty button comes back to
the page (302) with the reason."""
from tests import factories_mentoring as fm

SCENARIO = {
    "mentor": lambda s: fm.create_grantee(name="City of Mentorville", grant_state="closed"),
    "mentor_match": lambda s: fm.create_match(s.mentor, s.applicant, admin=s.admin),
}
MATCH = {"match_id": "mentor_match.id"}

APPLICANTS = {"anonymous": 302, "applicant": 200, "other_applicant": 200, "reviewer": 403, "admin": 403}
MEMBERS_AND_STAFF = {"anonymous": 302, "applicant": 200, "other_applicant": 200, "reviewer": 403, "admin": 200}
ADMIN_BUTTON = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 302}

ROUTES = {
    "mentoring.home": APPLICANTS,
    "mentoring.directory": MEMBERS_AND_STAFF,
    # the form for a grantee, the reason for anyone else; posting without a grant is refused
    "mentoring.offer": {**APPLICANTS, "post": {**APPLICANTS, "applicant": 403, "other_applicant": 403}},
    "mentoring.opt_out": {**APPLICANTS, "applicant": 302, "other_applicant": 302},
    # an empty request re-shows its errors; without an application the request is refused
    "mentoring.ask": {**APPLICANTS, "post": {**APPLICANTS, "applicant": 422, "other_applicant": 403}},
    "mentoring.withdraw": {**APPLICANTS, "applicant": 302, "other_applicant": 404,
                           "args": {"request_id": lambda s: s.mentor_match.request_id}},
    "mentoring.match": {**MEMBERS_AND_STAFF, "other_applicant": 404, "args": MATCH,
                        # an empty conversation re-shows its errors; staff only read
                        "post": {"anonymous": 302, "applicant": 422, "other_applicant": 404, "reviewer": 403,
                                 "admin": 403}},
    "mentoring.answer": {**APPLICANTS, "applicant": 302, "other_applicant": 404, "args": MATCH,
                         "data": {"answer": "accept"}},
    "mentoring.admin_overview": {**ADMIN_BUTTON, "admin": 200},
    "mentoring.propose": ADMIN_BUTTON,
    "mentoring.approve": {**ADMIN_BUTTON, "args": MATCH},
    "mentoring.reject": {**ADMIN_BUTTON, "args": MATCH},
    # the mentor already proposed for this request: refused with the reason, back to the page
    # (no mentor chosen at all is a clear 400: tests/mentoring/test_views.py)
    "mentoring.assign": {**ADMIN_BUTTON, "args": {"request_id": lambda s: s.mentor_match.request_id},
                         "data": lambda s: {f"r{s.mentor_match.request_id}-mentor_id": s.mentor.id}},
}
