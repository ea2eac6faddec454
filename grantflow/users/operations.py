"""Verbs on accounts. They take the acting user explicitly and never commit."""
from __future__ import annotations

from sqlalchemy import func, select

from ..core.audit import record_event
from ..core.db import utcnow
from ..extensions import db
from .models import User


class AccountError(ValueError):
    """A refusal with a message fit for the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register_applicant(*, name: str, email: str, password: str, job_title: str | None = None) -> User:
    if find_user_by_email(email):
        raise AccountError("An account with this email address already exists. Sign in, or reset "
                           "your password if you forgot it.", field="email")
    user = User(name=name.strip(), email=normalise_email(email), job_title=(job_title or "").strip() or None)
    user.set_password(password)
    user.grant_role("applicant")
    db.session.add(user)
    db.session.flush()
    record_event(actor=user, action="user.registered", subject=user)
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.check_password(password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user
