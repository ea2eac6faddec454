"""Signed, expiring tokens for the links we email: password reset and invitation.

A token carries the user id and a fingerprint of the user's current password
hash. Setting a password changes the hash, so every earlier token for that user
stops working: a reset link works once, and an invitation link (issued while the
account has no password yet) stops working once the invitee has chosen one.
Each purpose has its own salt, so a token for one purpose is refused by the other.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from .models import User

RESET_SALT = "grantflow.users.password-reset"
INVITE_SALT = "grantflow.users.invitation"
REGISTRATION_SALT = "grantflow.users.registration"
#: a registration waits this long for its address to be confirmed
REGISTRATION_MAX_AGE = 24 * 3600


class TokenInvalid(Exception):
    """The link cannot be used; ``str()`` explains why in words fit for the user."""


def password_fingerprint(user: User) -> str:
    """A short digest of the password hash: it changes whenever the password does,
    and reveals nothing useful about the password itself."""
    return hashlib.sha256((user.password_hash or "no password yet").encode()).hexdigest()[:20]


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _make(user: User, salt: str) -> str:
    return _serializer(salt).dumps({"user_id": user.id, "fingerprint": password_fingerprint(user)})


def _load(token: str, salt: str, max_age: int, expired_message: str, used_message: str) -> User:
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenInvalid(expired_message) from exc
    except BadSignature as exc:
        raise TokenInvalid("This link is not valid. Check that you copied the whole link from the "
                           "email.") from exc
    if not isinstance(payload, dict):
        raise TokenInvalid("This link is not valid.")
    user = db.session.get(User, payload.get("user_id")) if isinstance(payload.get("user_id"), int) else None
    if user is None or not user.is_active_account:
        raise TokenInvalid("This link is no longer valid.")
    if not hmac.compare_digest(str(payload.get("fingerprint", "")), password_fingerprint(user)):
        raise TokenInvalid(used_message)
    return user


def make_reset_token(user: User) -> str:
    return _make(user, RESET_SALT)


def load_reset_token(token: str) -> User:
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    return _load(token, RESET_SALT, max_age,
                 f"This link has expired: reset links work for {duration_text(max_age)}.",
                 "This link has already been used: each reset link works once.")


def make_invite_token(user: User) -> str:
    return _make(user, INVITE_SALT)


def load_invite_token(token: str) -> User:
    max_age = current_app.config["INVITE_MAX_AGE"]
    return _load(token, INVITE_SALT, max_age,
                 f"This invitation has expired: invitations work for {duration_text(max_age)}. "
                 "Ask the fund administrator who invited you to send a new one.",
                 "This invitation has already been accepted. Sign in with your email address and the "
                 "password you chose.")


def make_registration_token(pending) -> str:
    return _serializer(REGISTRATION_SALT).dumps({"pending_id": pending.id})


def load_registration_token(token: str):
    """The PendingRegistration a confirmation link names, while it waits."""
    from .models import PendingRegistration

    try:
        payload = _serializer(REGISTRATION_SALT).loads(token, max_age=REGISTRATION_MAX_AGE)
    except SignatureExpired as exc:
        raise TokenInvalid(f"This link has expired: confirmation links work for "
                           f"{duration_text(REGISTRATION_MAX_AGE)}. Register again.") from exc
    except BadSignature as exc:
        raise TokenInvalid("This link is not valid. Check that you copied the whole link from the "
                           "email.") from exc
    pending_id = payload.get("pending_id") if isinstance(payload, dict) else None
    pending = db.session.get(PendingRegistration, pending_id) if isinstance(pending_id, int) else None
    if pending is None:
        raise TokenInvalid("This link has already been used, or a newer registration replaced it. "
                           "Sign in, or register again.")
    return pending


def duration_text(seconds: int) -> str:
    if seconds >= 86400 and seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
