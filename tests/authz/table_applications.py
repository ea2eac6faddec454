"""Authorisation table: the applications domain. Format: README.md.

An applicant sees only their organisation's applications: another
organisation's are 404 (they do not exist, as far as the applicant can tell).
Staff and reviewers use their own pages (staff/, reviews/): the applicant pages
are 403 for them, except the file download, which serves staff (200) and
assigned, non-conflicted reviewers (403 for an unassigned one), by kind of
file: an assigned reviewer downloads the application's files, never the
grantee's report documents (issue 16)."""
from grantflow.applications.models import report_document_key

from tests.factories_applications import create_attachment

SCENARIO = {
    "attachment": lambda s: create_attachment(s.application, uploaded_by=s.applicant),
    # files of the application the scenario's reviewer is assigned to (tests/authz/table_reviews.py)
    "reviewed_file": lambda s: create_attachment(s.review_assignment.application, uploaded_by=s.applicant),
    "reviewed_report_document": lambda s: create_attachment(
        s.review_assignment.application, uploaded_by=s.applicant,
        field_key=report_document_key(1, "supporting_document")),
}

OWNER_ONLY = {"anonymous": 302, "applicant": 200, "other_applicant": 404, "reviewer": 403, "admin": 403}


def _sign_in_data(s):
    return {"_target": f"{s.application.id}:applicant", "_signin_email": "nobody@example.gov",
            "_signin_password": "wrong", "lead_name": "Kept"}


ROUTES = {
    "applications.mine": {"anonymous": 302, "applicant": 200, "other_applicant": 200, "reviewer": 403,
                          "admin": 403},
    # an empty POST re-shows the eligibility questions with their errors
    "applications.start": {"anonymous": 302, "applicant": 200, "other_applicant": 200, "reviewer": 403,
                           "admin": 403,
                           "post": {"anonymous": 302, "applicant": 422, "other_applicant": 422, "reviewer": 403,
                                    "admin": 403}},
    "applications.detail": OWNER_ONLY,
    "applications.reply": {**OWNER_ONLY, "applicant": 302, "data": {"text": "The council voted yes."}},
    "applications.review": OWNER_ONLY,
    # a draft has not been submitted: its confirmation page sends back to the status page
    "applications.submitted": {**OWNER_ONLY, "applicant": 302},
    # an anonymous POST (an expired session) gets a sign-in page that carries the answers (200);
    # the owner's empty POST changes nothing of the complete draft and moves on to the next page (302)
    "applications.edit_page": {
        **OWNER_ONLY, "args": {"page_id": lambda s: "applicant"},
        "post": {"anonymous": 200, "applicant": 302, "other_applicant": 404, "reviewer": 403, "admin": 403},
    },
    "applications.autosave": {"anonymous": 401, "applicant": 200, "other_applicant": 404, "reviewer": 403,
                              "admin": 403, "args": {"page_id": lambda s: "applicant"}},
    "applications.submit": {**OWNER_ONLY, "applicant": 302},
    "applications.withdraw": {**OWNER_ONLY,
                              "post": {**OWNER_ONLY, "applicant": 302}},
    # wrong password: the page shows the error and keeps the answers, whoever is signed in
    "applications.sign_in_to_save": {"anonymous": 200, "applicant": 200, "other_applicant": 200,
                                     "reviewer": 200, "admin": 200, "data": _sign_in_data},
    "applications.download_attachment": {"anonymous": 302, "applicant": 200, "other_applicant": 404,
                                         "reviewer": 403, "admin": 200,
                                         "args": {"attachment_id": "attachment.id"}},
    "applications.download_attachment#assigned_reviewer": {
        "anonymous": 302, "applicant": 200, "other_applicant": 404, "reviewer": 200, "admin": 200,
        "args": {"attachment_id": "reviewed_file.id"}},
    "applications.download_attachment#report_document": {
        "anonymous": 302, "applicant": 200, "other_applicant": 404, "reviewer": 403, "admin": 200,
        "args": {"attachment_id": "reviewed_report_document.id"}},
}
