"""Who is asking: a personal API token, or the browser's signed-in session.

- ``Authorization: Bearer <token>`` authenticates as the token's owner (a
  revoked or unknown token is 401, never a fall-back to the session). Token
  requests need no CSRF token: they carry no cookie the browser adds by itself.
- Without that header, a signed-in browser session may *read* the API (every
  route is GET; no CORS header is ever sent, so another site cannot read the
  answers). Nothing under ``/api/v1`` writes, so no cookie can make it write.

The checks are the pages' own: the admin role for the administrators'
endpoints, and for an applicant only the applications of their organisation
(the applicant role resolver of the workflow, as on ``/applications/<id>``);
another organisation's application does not exist (404)."""
from __future__ import annotations

from flask import g, request
from flask_login import current_user

from ..applications.uploads import is_organisation_member
from .operations import user_for_secret
from .problems import ApiError

BEARER = "bearer "


def authenticate() -> None:
    """Sets ``g.api_user`` (None for anonymous) and ``g.api_token_used``."""
    header = request.headers.get("Authorization")
    g.api_token_used = header is not None
    if header is None:
        g.api_user = current_user if getattr(current_user, "is_authenticated", False) else None
        return
    if not header[:len(BEARER)].lower() == BEARER:
        raise ApiError(401, "Use 'Authorization: Bearer <token>' with a personal API token.")
    user = user_for_secret(header[len(BEARER):].strip())
    if user is None:
        raise ApiError(401, "This API token is not valid: it was revoked, mistyped, or its account is inactive.")
    g.api_user = user


def signed_in():
    user = g.get("api_user")
    if user is None:
        raise ApiError(401, "Sign in or send a personal API token: 'Authorization: Bearer <token>'.")
    return user


def require_role(role: str):
    user = signed_in()
    if not user.has_role(role):
        raise ApiError(403, f"Only users with the {role} role may read this.")
    return user


def require_member(application, user) -> None:
    if application is None or not is_organisation_member(application, user):
        raise ApiError(404, "There is no such application among your organization's.")
