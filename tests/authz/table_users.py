"""Authorisation table: sign-in, registration, password reset, invitations. Format: README.md.

Signed-in users are sent home (302) from sign-in and registration. The emailed
links work for whoever holds them, signed in or not: the token is the permission.
"""
from grantflow.users.tokens import make_invite_token, make_registration_token, make_reset_token

from .scenario import make_user

SCENARIO = {
    # a reviewer invited by the admin who has not chosen a password yet
    "invitee": lambda s: _invitee(),
    # a registration waiting for its address to be confirmed
    "pending_registration": lambda s: _pending(),
}


def _pending():
    from grantflow.core.db import utcnow
    from grantflow.extensions import db
    from grantflow.users.models import PendingRegistration

    pending = PendingRegistration(email="new@authz.example.gov", name="New Person", password_hash="x",
                                  created_at=utcnow())
    db.session.add(pending)
    db.session.flush()
    return pending


def _invitee():
    user = make_user("reviewer", name="Invited Reviewer")
    user.password_hash = None
    return user


EVERYONE_200 = {"anonymous": 200, "applicant": 200, "other_applicant": 200, "reviewer": 200, "admin": 200}
EVERYONE_422 = dict.fromkeys(EVERYONE_200, 422)
SIGNED_IN_200 = {"anonymous": 302, "applicant": 200, "other_applicant": 200, "reviewer": 200, "admin": 200}
SIGNED_IN_GO_HOME = {"anonymous": 200, "applicant": 302, "other_applicant": 302, "reviewer": 302, "admin": 302}

ROUTES = {
    # an empty POST re-shows the form with its errors (422, refused)
    "users.login": {**SIGNED_IN_GO_HOME, "post": {**SIGNED_IN_GO_HOME, "anonymous": 422}},
    "users.register": {**SIGNED_IN_GO_HOME, "post": {**SIGNED_IN_GO_HOME, "anonymous": 422}},
    "users.logout": {"anonymous": 302, "applicant": 302, "other_applicant": 302, "reviewer": 302,
                     "admin": 302},
    "users.forgot_password": {**EVERYONE_200, "post": EVERYONE_422},
    "users.reset_password": {**EVERYONE_200, "post": EVERYONE_422,
                             "args": {"token": lambda s: make_reset_token(s.applicant)}},
    "users.accept_invitation": {**EVERYONE_200, "post": EVERYONE_422,
                                "args": {"token": lambda s: make_invite_token(s.invitee)}},
    # the code step needs a right password first: without one, back to sign in
    "users.two_factor_sign_in": {**{role: 302 for role in EVERYONE_200},
                                 "post": {role: 302 for role in EVERYONE_200}},
    # anyone signed in sets up their own; an empty code re-shows the form
    "users.two_factor_setup": {**SIGNED_IN_200, "post": {**SIGNED_IN_200, **dict.fromkeys(
        ("applicant", "other_applicant", "reviewer", "admin"), 422)}},
    # without two-step sign-in on, there is nothing to turn off: the page says why (422, refused)
    "users.two_factor_disable": {"anonymous": 302, "applicant": 422, "other_applicant": 422, "reviewer": 422,
                                 "admin": 422},
    # anyone signed in keeps their own account (an empty post changes nothing)
    "users.account": {**SIGNED_IN_200, "post": {**SIGNED_IN_200, **dict.fromkeys(
        ("applicant", "other_applicant", "reviewer", "admin"), 302)}},
    # the step after a signed-out post (users.kept): a wrong password re-shows it, the typed text carried along
    "users.sign_in_to_keep": {**EVERYONE_422, "data": {"_kept_page": "/organisation/",
                                                       "_kept_action": "/organisation/",
                                                       "_signin_email": "nobody@example.gov",
                                                       "_signin_password": "wrong", "name": "Kept"}},
    # the link is the permission: confirming creates the account and signs its owner in
    "users.confirm_registration": {
        **EVERYONE_200, "post": {role: 302 for role in EVERYONE_200},
        "args": {"token": lambda s: make_registration_token(s.pending_registration)}},
}
