"""Who may do what to personal API tokens (``core.policy``): each person sees
and revokes their own; anybody else's does not exist for them (404)."""
from __future__ import annotations

from ..core.policy import ALLOW, deny, hidden, kind, signed_in
from .models import ApiToken

api_token = kind("api_token", model=ApiToken)


@api_token.action("create", "revoke")
def own_token(user, token) -> object:
    if not signed_in(user):
        return deny("Sign in to continue.")
    if token is None or (token.user_id == user.id and token.revoked_at is None):
        return ALLOW
    return hidden()
