from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.db import TimestampMixin, UTCDateTime
from ..extensions import db

ROLE_CHOICES = ("applicant", "reviewer", "admin")
#: how passwords are hashed now; a stored hash made otherwise is replaced at the
#: next successful sign-in (User.needs_rehash), the only time the password is known
PASSWORD_METHOD = "scrypt:32768:8:1"
ROLE_LABELS = {"applicant": "Applicant", "reviewer": "Reviewer", "admin": "Fund administrator"}


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)

    __table_args__ = (sa.CheckConstraint("role IN ('applicant', 'reviewer', 'admin')", name="role"),)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True, nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the IANA zone the person reads times in (users.zones); unset: a round's
    #: deadlines show in the round's zone, other times in UTC
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    #: every session and remember-me cookie carries the generation it began in;
    #: raising it (sign-out, new password, deactivation, a role removed, an
    #: administrator's "end all sessions") ends them all on every device
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)
    #: two-step sign-in (users.two_factor): the TOTP secret once confirmed, and
    #: hashes of the unused recovery codes
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recovery_code_hashes: Mapped[list | None] = mapped_column(sa.JSON)

    role_rows = relationship("UserRole", cascade="all, delete-orphan", lazy="selectin")
    organisation = relationship("Organisation", back_populates="members")

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def grant_role(self, role: str) -> None:
        if role not in ROLE_CHOICES:
            raise ValueError(f"unknown role {role!r}")
        if role not in self.roles:
            self.role_rows.append(UserRole(role=role))

    def revoke_role(self, role: str) -> None:
        if role in self.roles:
            self.role_rows = [row for row in self.role_rows if row.role != role]
            self.end_all_sessions()

    def end_all_sessions(self) -> None:
        self.session_generation = (self.session_generation or 0) + 1

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_LABELS[role] for role in ROLE_CHOICES if role in self.roles]

    @property
    def is_invitation_pending(self) -> bool:
        """Invited by an administrator but has not chosen a password yet."""
        return self.password_hash is None

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    def set_password(self, password: str, *, end_sessions: bool = True) -> None:
        """A new password ends every session of the account (a stolen session
        dies with the password); a hash upgraded at sign-in does not."""
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
        if end_sessions:
            self.end_all_sessions()

    @property
    def needs_rehash(self) -> bool:
        return bool(self.password_hash) and self.password_hash.split("$", 1)[0] != PASSWORD_METHOD

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    #: the signed-in session this object was loaded for (users.sessions)
    current_session = None

    def get_id(self) -> str:
        """Flask-Login's "alternative token": the user id and the session's own
        token, so a cookie names one revocable session, not just the user."""
        token = getattr(self.current_session, "token", None)
        return f"{self.id}:{token}" if token else str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(db.Model):
    """One signed-in browser: listed for administrators, ended one by one or
    all at once (User.session_generation). Only a digest of its token is kept."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    generation: Mapped[int] = mapped_column(nullable=False)
    remember: Mapped[bool] = mapped_column(default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))

    user = relationship("User")


class KeptForm(db.Model):
    """What a person typed into a form whose post could not be accepted (the
    session or the CSRF token had expired), kept until they see it back in the
    form (``users.kept``). Only its owner ever gets it back; it is deleted once
    shown, and after ``kept.KEPT_FOR`` at the latest. Never a password or a file."""

    __tablename__ = "kept_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    #: the page that shows the form, and the address the form posts to
    page_path: Mapped[str] = mapped_column(sa.String(2000), nullable=False)
    action_path: Mapped[str] = mapped_column(sa.String(2000), nullable=False)
    #: ``[[name, value], ...]`` in posted order
    values: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    #: names of the file fields that had a file chosen (files cannot be kept)
    file_fields: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class PendingRegistration(db.Model):
    """A registration waiting for its owner to confirm the address by email. It
    is not an account: it blocks nobody (the owner can register again, or be
    invited), and confirming creates the account only if the address has none."""

    __tablename__ = "pending_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
