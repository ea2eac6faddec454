"""Who is asking (a personal API token, or the browser's signed-in session), and
may they: the pages' own access policy (``core.policy.can``), answered in JSON.

- ``Authorization: Bearer <token>`` authenticates as the token's owner (a
  revoked or unknown token is 401, never a fall-back to the session). Token
  requests need no CSRF token: they carry no cookie the browser adds by itself.
- Without that header, a signed-in browser session may *read* the API (every
  route is GET; no CORS header is ever sent, so another site cannot read the
  answers). Nothing under ``/api/v1`` writes, so no cookie can make it write.

The questions are the pages' questions: administrators' endpoints ask
``manage`` of applications (staff only: 403 for others), the applicants'
endpoints ``edit`` (the applicant pages: another organisation's application
is hidden, 404). Without any credentials: 401."""
from __future__ import annotations

from flask import g, request
from flask_login import current_user

from ..core.policy import can, find
from .operations import user_for_secret
from .problems import ApiError
from .schemas import MAX_ROW_ID

BEARER = "bearer "
#: the one answer for an id that does not exist and one the asker may not know exists
NOT_FOUND = "There is no such resource, or you may not see it."


def authenticate() -> None:
    """Sets ``g.api_user`` (None for anonymous)."""
    header = request.headers.get("Authorization")
    if header is None:
        g.api_user = current_user if getattr(current_user, "is_authenticated", False) else None
        return
    if not header[:len(BEARER)].lower() == BEARER:
        raise ApiError(401, "Use 'Authorization: Bearer <token>' with a personal API token.")
    user = user_for_secret(header[len(BEARER):].strip())
    if user is None:
        raise ApiError(401, "This API token is not valid: it was revoked, mistyped, or its account is inactive.")
    g.api_user = user


def allowed(action: str, resource):
    """The asking user if the policy lets them ``action`` the resource (an object,
    or a kind's name for the role gate); a problem otherwise."""
    user = g.get("api_user")
    if user is None:
        raise ApiError(401, "Sign in or send a personal API token: 'Authorization: Bearer <token>'.")
    decision = can(user, action, resource)
    if not decision:
        if decision.hidden:
            raise ApiError(404, NOT_FOUND)
        raise ApiError(403, decision.reason or "Your account may not read this.")
    return user


def load(kind_name: str, ident, action: str):
    """The object the asking user may ``action``, through the policy's loader:
    a missing id and a hidden one get the same 404."""
    allowed(action, kind_name)
    obj = find(kind_name, ident) if ident <= MAX_ROW_ID else None  # beyond an id column: none
    if obj is None:
        raise ApiError(404, NOT_FOUND)
    allowed(action, obj)
    return obj
