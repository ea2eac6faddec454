from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.db import TimestampMixin, UTCDateTime
from ..extensions import db, login_manager

ROLE_CHOICES = ("applicant", "reviewer", "admin")
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
        self.role_rows = [row for row in self.role_rows if row.role != role]

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

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt by default

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


@login_manager.user_loader
def load_user(user_id: str):
    # every signed-in request runs this: the roles come in the same query
    # (joined) instead of a second SELECT (the relationship's selectin default).
    # A query, not session.get: get() refreshes an expired user already in the
    # session without the joined roles, and loads them in a second statement.
    query = sa.select(User).options(joinedload(User.role_rows)).where(User.id == int(user_id))
    return db.session.execute(query).unique().scalar_one_or_none()
