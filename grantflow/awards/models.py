"""Award terms, funding sources, payment tranches and generated letters."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import TimestampMixin, UTCDateTime, utcnow
from ..extensions import db

RELEASE_EVENTS = ("acceptance", "interim_report", "final_report", "date")
RELEASE_LABELS = {
    "acceptance": "On acceptance of the award",
    "interim_report": "After the interim report is accepted",
    "final_report": "After the final report is accepted",
    "date": "On a date",
}
TRANCHE_STATUSES = ("scheduled", "due", "paid")
#: a blank line between conditions, whatever line endings the browser sent (\r\n from a textarea)
_BLANK_LINE = re.compile(r"\r?\n[ \t]*\r?\n")


class Award(TimestampMixin, db.Model):
    """The terms recorded with an award decision (one per application)."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), unique=True,
                                                nullable=False)
    award_number: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    #: why an administrator awarded more than was requested (required in that case)
    amount_override_reason: Mapped[str | None] = mapped_column(sa.Text)
    period_start: Mapped[date] = mapped_column(sa.Date, nullable=False)
    period_end: Mapped[date] = mapped_column(sa.Date, nullable=False)
    conditions: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: the applicant's acceptance: typed name, time and IP address
    accepted_name: Mapped[str | None] = mapped_column(sa.String(200))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_ip: Mapped[str | None] = mapped_column(sa.String(45))
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    application = relationship("Application", backref=db.backref("award", uselist=False))
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    accepted_by = relationship("User", foreign_keys=[accepted_by_id])
    funding_sources = relationship("AwardFundingSource", back_populates="award", cascade="all, delete-orphan",
                                   order_by="AwardFundingSource.position")
    tranches = relationship("PaymentTranche", back_populates="award", cascade="all, delete-orphan",
                            order_by="PaymentTranche.sequence")

    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount"),
        sa.CheckConstraint("period_end > period_start", name="period"),
        sa.CheckConstraint("(accepted_at IS NULL) = (accepted_name IS NULL)", name="acceptance"),
    )

    @property
    def condition_paragraphs(self) -> list[str]:
        """One numbered condition per paragraph, each paragraph's lines joined."""
        return [" ".join(block.split()) for block in _BLANK_LINE.split(self.conditions or "") if block.strip()]

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def paid_cents(self) -> int:
        return sum(t.amount_cents for t in self.tranches if t.status == "paid")

    def __repr__(self) -> str:
        return f"<Award {self.award_number} {self.amount_cents}c>"


class AwardFundingSource(db.Model):
    """Who pays which share: the fund itself and any co-funders (philanthropies)."""

    __tablename__ = "award_funding_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("awards.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    position: Mapped[int] = mapped_column(nullable=False, default=0)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    is_fund: Mapped[bool] = mapped_column(default=False, nullable=False)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)

    award = relationship("Award", back_populates="funding_sources")

    __table_args__ = (sa.CheckConstraint("amount_cents > 0", name="amount"),)


class PaymentTranche(db.Model):
    """One payment of an award, released by an event (acceptance, an accepted
    report) or on a date. The reporting module records disbursements against
    tranches and marks them paid."""

    __tablename__ = "payment_tranches"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("awards.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    sequence: Mapped[int] = mapped_column(nullable=False)
    label: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    release_on: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), nullable=False)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="scheduled", index=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    award = relationship("Award", back_populates="tranches")

    __table_args__ = (
        sa.UniqueConstraint("award_id", "sequence", name="uq_payment_tranches_award_sequence"),
        sa.CheckConstraint("release_on IN ('acceptance', 'interim_report', 'final_report', 'date')",
                           name="release_on"),
        sa.CheckConstraint("status IN ('scheduled', 'due', 'paid')", name="status"),
        sa.CheckConstraint("amount_cents >= 0", name="amount"),
        sa.CheckConstraint("percent > 0 AND percent <= 100", name="percent"),
        sa.CheckConstraint("release_on != 'date' OR due_date IS NOT NULL", name="date_release"),
        sa.CheckConstraint("(status = 'scheduled') = (released_at IS NULL)", name="released"),
        sa.CheckConstraint("(status = 'paid') = (paid_at IS NOT NULL)", name="paid"),
    )

    @property
    def release_label(self) -> str:
        if self.release_on == "date" and self.due_date:
            return f"On {self.due_date:%B %-d, %Y}"
        return RELEASE_LABELS[self.release_on]


class LetterBatch(db.Model):
    """An administrator's request to render the decision letters of a round."""

    __tablename__ = "letter_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), nullable=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    #: send the letters once rendered (award offers are made, decline/waitlist letters emailed)
    is_sending: Mapped[bool] = mapped_column(default=False, nullable=False)

    round = relationship("Round")
    created_by = relationship("User")
    letters = relationship("Letter", back_populates="batch")


class Letter(db.Model):
    """One version of one generated letter. The row exists from the moment it is
    requested; the file, checksum and size are set by the job that renders it,
    whose row (``job``) holds the status and, on failure, the error."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), nullable=False)
    #: the letter's folder under templates/letters/ (a workflow's ``letters:`` names it)
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    version: Mapped[int] = mapped_column(nullable=False)
    template_name: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    #: its key in the ``letters`` storage area
    file_path: Mapped[str | None] = mapped_column(sa.String(255))
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    size_bytes: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: once rendered, send it: an award letter makes the offer, the others are emailed
    is_sending: Mapped[bool] = mapped_column(default=False, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("background_jobs.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("letter_batches.id"), index=True)

    application = relationship("Application", backref=db.backref("letters", order_by="Letter.id"))
    job = relationship("BackgroundJob")
    batch = relationship("LetterBatch", back_populates="letters")
    created_by = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("application_id", "kind", "version", name="uq_letters_application_kind_version"),
        sa.Index("ix_letters_application_kind", "application_id", "kind"),
        sa.CheckConstraint("(sha256 IS NULL) = (file_path IS NULL) AND (sha256 IS NULL) = (size_bytes IS NULL)"
                           " AND (sha256 IS NULL) = (rendered_at IS NULL)", name="file"),
        sa.CheckConstraint("sent_at IS NULL OR sha256 IS NOT NULL", name="sent_when_rendered"),
    )

    @property
    def is_ready(self) -> bool:
        return self.sha256 is not None

    @property
    def status(self) -> str:
        """ready, failed, stalled (its worker died) or pending (queued or
        rendering): the job holds the truth."""
        from ..core.jobs import is_stalled

        if self.is_ready:
            return "ready"
        if self.job is not None and self.job.status == "failed":
            return "failed"
        if self.job is not None and is_stalled(self.job):
            return "stalled"
        return "pending"

    @property
    def error(self) -> str | None:
        if self.status == "stalled":
            return "The worker rendering it stopped responding; it is retried automatically, or use Retry."
        if self.status != "failed":
            return None
        return (self.job.error or "").split("\n\n", 1)[0]

    @property
    def download_name(self) -> str:
        return f"{self.application.reference}-{self.kind}-letter-v{self.version}.pdf"

    def __repr__(self) -> str:
        return f"<Letter {self.application_id} {self.kind} v{self.version} {self.status}>"
