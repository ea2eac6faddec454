"""Signed-in sessions that can be ended: one ``UserSession`` row per browser.

The session cookie and the remember-me cookie both hold ``<user id>:<token>``
(User.get_id). Every request loads the user only through a session row that
is not ended, not expired and of the user's current ``session_generation``,
in the same single statement as the user and roles. So:

- signing out, a new password, deactivation, a removed role and an
  administrator's "End all sessions" raise the generation: every session and
  remember-me cookie of the account, on every device, stops working at its
  next request;
- an administrator can also end one session (``ended_at``);
- a session without "keep me signed in" ends after IDLE_LIFETIME without a
  request; with it, after REMEMBER_LIFETIME (the cookie's own lifetime).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_login import login_user, logout_user
from sqlalchemy.orm import joinedload

from ..core.audit import record_event
from ..core.db import utcnow
from ..extensions import db, login_manager
from .models import User, UserSession

IDLE_LIFETIME = timedelta(hours=8)
REMEMBER_LIFETIME = timedelta(days=30)
#: last_seen_at is written at most this often (not on every request)
TOUCH_EVERY = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, remember: bool = False) -> UserSession:
    """A new session row for ``user``, attached as ``user.current_session``."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    row = UserSession(user=user, token_hash=_digest(token), generation=user.session_generation or 0,
                      remember=remember, created_at=now, last_seen_at=now,
                      expires_at=now + (current_app.config.get("REMEMBER_COOKIE_DURATION", REMEMBER_LIFETIME)
                                        if remember else IDLE_LIFETIME))
    if has_request_context():
        row.ip_address = (request.remote_addr or "")[:45] or None
        row.user_agent = (request.user_agent.string or "")[:200] or None
    db.session.add(row)
    db.session.flush()
    row.token = token  # only in memory: the database keeps the digest
    user.current_session = row
    return row


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a session and give the browser its cookies (Flask-Login)."""
    start_session(user, remember=remember)
    login_user(user, remember=remember)


def sign_out(user) -> None:
    """Sign out here and everywhere: the account's every session ends."""
    if getattr(user, "is_authenticated", False):
        user.end_all_sessions()
        record_event(actor=user, action="user.signed_out", subject=user)
    logout_user()


def end_sessions(actor, user: User) -> None:
    """An administrator ends every session of ``user``."""
    user.end_all_sessions()
    record_event(actor=actor, action="user.sessions_ended", subject=user)


def end_session(actor, user: User, session_id: int) -> bool:
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return False
    row.ended_at = utcnow()
    record_event(actor=actor, action="user.session_ended", subject=user, data={"session_id": row.id})
    return True


def live_sessions(user: User) -> list[UserSession]:
    """The sessions of ``user`` that still work, latest first."""
    return list(db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
                                     UserSession.generation == user.session_generation,
                                     UserSession.expires_at > utcnow())
        .order_by(UserSession.last_seen_at.desc())))


@login_manager.user_loader
def load_user(session_id: str):
    """The user of a live session, with roles, in one statement; None ends the
    session (Flask-Login then treats the browser as signed out)."""
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    now = utcnow()
    statement = (sa.select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
                 .options(joinedload(User.role_rows))
                 .where(User.id == int(user_id), UserSession.token_hash == _digest(token),
                        UserSession.ended_at.is_(None), UserSession.expires_at > now,
                        UserSession.generation == User.session_generation,
                        User.is_active_account.is_(True)))
    found = db.session.execute(statement).unique().first()
    if found is None:
        return None
    user, row = found
    row.token = token
    user.current_session = row
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        if not row.remember:
            row.expires_at = now + IDLE_LIFETIME
    return user
