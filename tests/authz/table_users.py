"""Authorisation table: sign-in, registration, password reset, invitations. Format: README.md.

Signed-in users are sent home (302) from sign-in and registration. The emailed
links work for whoever holds them, signed in or not: the token is the permission.
"""
from grantflow.users.tokens import make_invite_token, make_reset_token

from .scenario import make_user

SCENARIO = {
    # a reviewer invited by the admin who has not chosen a password yet
    "invitee": lambda s: _invitee(),
}


def _invitee():
    user = make_user("reviewer", name="Invited Reviewer")
    user.password_hash = None
    return user


EVERYONE_200 = {"anonymous": 200, "applicant": 200, "other_applicant": 200, "reviewer": 200, "admin": 200}
EVERYONE_422 = dict.fromkeys(EVERYONE_200, 422)
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
}
