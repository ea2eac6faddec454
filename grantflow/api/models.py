"""Personal API tokens: read-only credentials a user creates for scripts.

Only a SHA-256 digest of the secret is stored: the secret has 256 bits of
randomness, so a fast hash is enough (nobody can guess a preimage), and a
stolen database holds nothing usable. ``prefix`` is the secret's first
characters, shown so a user can tell their tokens apart."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import UTCDateTime, utcnow
from ..extensions import db


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    #: every token is read-only today; the column says so, so a wider scope is a visible change
    scope: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="read")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")

    __table_args__ = (sa.CheckConstraint("scope IN ('read')", name="scope"),)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
