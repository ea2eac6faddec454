"""Creating, revoking and checking personal API tokens (verbs take the acting
user and never commit; every change is audited)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from ..core.audit import record_event
from ..core.db import utcnow
from ..core.refusal import Refused
from ..extensions import db
from .models import ApiToken

#: the visible start of every secret, so a leaked token is easy to spot (secret scanners, logs)
SECRET_PREFIX = "gf_"
#: how many active tokens one person may hold
MAX_ACTIVE_TOKENS = 10
#: ``last_used_at`` is written at most this often per token: a script calling
#: in a loop must not turn every read into a write
LAST_USED_PRECISION = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def active_tokens(user) -> list[ApiToken]:
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def create_token(user, name: str) -> tuple[ApiToken, str]:
    """A new read-only token for ``user``; the secret is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise Refused("Give the token a name, such as the script that will use it.", "name")
    if len(active_tokens(user)) >= MAX_ACTIVE_TOKENS:
        raise Refused(f"You already have {MAX_ACTIVE_TOKENS} tokens. Revoke one you no longer use first.", "name")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:100], token_hash=digest(secret), prefix=secret[:10], scope="read")
    db.session.add(token)
    db.session.flush()
    record_event(actor=user, action="api_token.created", subject=token, data={"name": token.name})
    return token, secret


def revoke_token(user, token: ApiToken) -> ApiToken:
    """Revokes ``token`` (loaded through the policy: the user's own, still active)."""
    if token.user_id != user.id or token.revoked_at is not None:
        raise Refused("There is no such active token.")
    token.revoked_at = utcnow()
    record_event(actor=user, action="api_token.revoked", subject=token, data={"name": token.name})
    return token


def user_for_secret(secret: str):
    """The active user an unrevoked token belongs to, or None; notes when it was used."""
    if not secret or len(secret) > 200:
        return None
    token = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(secret))).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
    return token.user
