from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import TimestampMixin, UTCDateTime, utcnow
from ..extensions import db


class Fund(TimestampMixin, db.Model):
    __tablename__ = "funds"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    #: the overseeing office, shown on letters and in 360Giving fundingOrganization
    funder_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    funder_identifier: Mapped[str | None] = mapped_column(sa.String(120))
    funder_address: Mapped[str | None] = mapped_column(sa.Text)
    #: per-fund policy (report intervals, payment schedule, ...) that overrides the defaults
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)

    rounds = relationship("Round", back_populates="fund", order_by="Round.opens_at")


class Round(TimestampMixin, db.Model):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("funds.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    budget_cents: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    min_request_cents: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=1_000_000)
    max_request_cents: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=25_000_000)
    max_period_months: Mapped[int] = mapped_column(nullable=False, default=24)
    workflow_key: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    workflow_version: Mapped[int] = mapped_column(nullable=False)
    form_key: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    #: the application form version new applications start on (None: the newest)
    form_version: Mapped[int | None] = mapped_column()
    rubric_key: Mapped[str | None] = mapped_column(sa.String(80))
    #: the rubric version new reviews use (None: the newest)
    rubric_version: Mapped[int | None] = mapped_column()
    reviews_per_application: Mapped[int] = mapped_column(nullable=False, default=3)
    review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_blind_review: Mapped[bool] = mapped_column(default=False, nullable=False)
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)

    fund = relationship("Fund", back_populates="rounds")

    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="dates"),
        sa.CheckConstraint("budget_cents >= 0", name="budget"),
        sa.CheckConstraint("min_request_cents <= max_request_cents", name="request_range"),
    )

    def application_form(self):
        """The form definition new applications of this round start on."""
        from ..core.formdefs import load_form

        return load_form("applications", self.form_key, self.form_version)

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.opens_at <= now < self.closes_at

    @property
    def timezone(self) -> str:
        """The IANA zone the round's dates were set in (its deadlines show in it)."""
        return (self.settings or {}).get("timezone") or "UTC"
