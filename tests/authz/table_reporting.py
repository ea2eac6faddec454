"""Authorisation table: reports, payments and closeout. Format: README.md.

Grantee pages (their grants, reports, filing) are for the grant organisation's
applicants: another organisation gets 404, staff may read but not fill in (403).
Staff pages are for administrators only (403 for everyone else). Refused
POSTs with an empty form answer 422 (the errors are re-shown, nothing changes)."""
from tests import factories_reporting as fr

SCENARIO = {
    "grant": lambda s: fr.create_grant_for(s.organisation, s.applicant, s.round),
    "report": lambda s: fr.report_of(s.grant),
    "submitted_report": lambda s: fr.mark_submitted(fr.report_of(s.grant, sequence=1)),
}
GRANT = {"application_id": "grant.id"}
REPORT = {"report_id": "report.id"}

GRANTEE_READ = {"anonymous": 302, "applicant": 200, "other_applicant": 404, "reviewer": 403, "admin": 200}
GRANTEE_ONLY = {"anonymous": 302, "applicant": 200, "other_applicant": 404, "reviewer": 403, "admin": 403}
STAFF = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 200}
STAFF_POST_EMPTY = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 422}

ROUTES = {
    "reporting.mine": {"anonymous": 302, "applicant": 200, "other_applicant": 200, "reviewer": 403,
                       "admin": 403},
    "reporting.grant": {**GRANTEE_READ, "args": GRANT},
    "reporting.report": {**GRANTEE_READ, "args": REPORT},
    "reporting.edit_page": {
        **GRANTEE_ONLY, "args": {**REPORT, "page_id": lambda s: "progress"},
        # an empty "Save draft" is a valid draft: saved, back to the page
        "post": {"anonymous": 302, "applicant": 302, "other_applicant": 404, "reviewer": 403, "admin": 403},
    },
    "reporting.check": {**GRANTEE_ONLY, "args": REPORT},
    # submitting an empty report is refused with what is missing (422)
    "reporting.submit": {"anonymous": 302, "applicant": 422, "other_applicant": 404, "reviewer": 403,
                         "admin": 403, "args": REPORT},
    "reporting.overview": STAFF,
    "reporting.remind_now": {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403,
                             "admin": 302},
    "reporting.review": {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403,
                         "admin": 302, "args": {"report_id": "submitted_report.id"},
                         "data": {"decision": "accept", "comment": "Thank you."}},
    "reporting.move_due_date": {**STAFF, "args": REPORT, "post": STAFF_POST_EMPTY},
    "reporting.add_report": {**STAFF, "args": GRANT, "post": STAFF_POST_EMPTY},
    "reporting.payments": {**STAFF, "args": GRANT, "post": STAFF_POST_EMPTY},
    # an active grant is not in closeout yet: the page sends staff back to the grant
    "reporting.closeout": {
        "anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 302, "args": GRANT,
        "post": {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 302},
    },
}
