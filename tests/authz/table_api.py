"""Authorisation table: the JSON API (/api/v1) and the account's API tokens page. Format: README.md.

These checks sign in with the browser session, which may read the API (grantflow/api/access.py);
tests/api/test_tokens.py proves the same answers for personal API tokens. Anonymous callers of
the signed-in endpoints get 401 (a problem+json), never a sign-in redirect.
"""
from grantflow.api.operations import create_token

SCENARIO = {
    "api_token": lambda s: create_token(s.applicant, "Authz script")[0],
}

PUBLIC = {"anonymous": 200, "applicant": 200, "other_applicant": 200, "reviewer": 200, "admin": 200}
ADMINS_ONLY = {"anonymous": 401, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 200}
APPLICANTS = {"anonymous": 401, "applicant": 200, "other_applicant": 200, "reviewer": 403, "admin": 403}

ROUTES = {
    "api.openapi": PUBLIC,
    "api.reference": PUBLIC,
    "api.funds": PUBLIC,
    "api.fund": PUBLIC,
    "api.rounds": PUBLIC,
    "api.round_": PUBLIC,
    "api.grants": PUBLIC,
    "api.admin_applications": ADMINS_ONLY,
    "api.admin_application": ADMINS_ONLY,
    "api.admin_awards": ADMINS_ONLY,
    "api.admin_payments": ADMINS_ONLY,
    "api.admin_reports": ADMINS_ONLY,
    "api.my_applications": APPLICANTS,
    # another organisation's application does not exist for them
    "api.my_application": {**APPLICANTS, "other_applicant": 404},
    "api.tokens": {
        "anonymous": 302, "applicant": 200, "other_applicant": 200, "reviewer": 200, "admin": 200,
        "post": {"anonymous": 302, "applicant": 422, "other_applicant": 422, "reviewer": 422, "admin": 422},
    },
    "api.revoke_token": {
        "anonymous": 302, "applicant": 302, "other_applicant": 404, "reviewer": 404, "admin": 404,
        "args": {"token_id": "api_token.id"},
    },
}
