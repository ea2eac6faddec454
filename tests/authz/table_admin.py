"""Authorisation table: the administrators' users and outbox pages. Format: README.md."""
from grantflow.core.models import OutboxEmail
from grantflow.extensions import db

SCENARIO = {
    "outbox_email": lambda s: _email(),
    "other_applicant_session": lambda s: _session(s.other_applicant),
}


def _session(user):
    from grantflow.users.sessions import start_session

    return start_session(user)


def _email():
    email = OutboxEmail(recipient="someone@authz.example.gov", subject="Hello", body_text="Hello.\n",
                        template="status_changed")
    db.session.add(email)
    return email


ADMIN_ONLY = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 200}
# state changes answer with a redirect back to the list
ADMIN_ONLY_REDIRECT = {**ADMIN_ONLY, "admin": 302}

ROUTES = {
    "admin.users": ADMIN_ONLY,
    "admin.invite": {**ADMIN_ONLY, "post": {**ADMIN_ONLY, "admin": 422}},  # an empty POST: the form, refused
    "admin.deactivate_user": {**ADMIN_ONLY_REDIRECT, "args": {"user_id": "other_applicant.id"}},
    "admin.reactivate_user": {**ADMIN_ONLY_REDIRECT, "args": {"user_id": "other_applicant.id"}},
    "admin.user_sessions": {**ADMIN_ONLY, "args": {"user_id": "other_applicant.id"}},
    "admin.end_user_sessions": {**ADMIN_ONLY_REDIRECT, "args": {"user_id": "other_applicant.id"}},
    "admin.end_user_session": {**ADMIN_ONLY_REDIRECT, "args": {"user_id": "other_applicant.id",
                                                             "session_id": "other_applicant_session.id"}},
    "admin.outbox": ADMIN_ONLY,
    "admin.outbox_email": {**ADMIN_ONLY, "args": {"email_id": "outbox_email.id"}},
}
