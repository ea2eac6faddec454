"""Reports, their reminders, disbursements and the closeout record.

A report's lifecycle is small and local to it (open -> submitted -> accepted,
or back to changes_requested), so it is a checked enum column rather than a
second workflow; the grant's own states (active, final report submitted,
closeout, closed) stay in the workflow YAML."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import TimestampMixin, UTCDateTime, utcnow
from ..extensions import db

REPORT_KINDS = {"interim": "Interim report", "final": "Final report", "adhoc": "Additional report"}
REPORT_STATES = {
    "open": "Not submitted",
    "submitted": "Submitted, awaiting review",
    "changes_requested": "Changes requested",
    "accepted": "Accepted",
}
REMINDER_KINDS = {"before": "due soon", "due": "due today", "overdue": "overdue"}


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Report(TimestampMixin, db.Model):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    sequence: Mapped[int] = mapped_column(nullable=False, default=1)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date, nullable=False, index=True)
    #: the date first scheduled, so a moved due date stays visible
    original_due_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    state: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="open", index=True)
    #: the report form answered, snapshotted like an application's form version
    form_key: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    form_version: Mapped[int | None] = mapped_column()
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    #: copied out of the answers on every save so dashboards and exports read no form JSON
    metrics: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    spent_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    unspent_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    success_story: Mapped[str | None] = mapped_column(sa.Text)
    is_story_publishable: Mapped[bool] = mapped_column(default=False, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    #: optimistic lock: two people saving one report at once cannot overwrite each other
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    application = relationship("Application")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    reminders = relationship("ReportReminder", back_populates="report", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("application_id", "kind", "sequence", name="uq_reports_application_kind_sequence"),
        sa.CheckConstraint(f"kind IN ({_in(REPORT_KINDS)})", name="kind"),
        sa.CheckConstraint(f"state IN ({_in(REPORT_STATES)})", name="state"),
        # a submitted or reviewed report says when it was submitted; a reviewed one by whom
        sa.CheckConstraint("state = 'open' OR submitted_at IS NOT NULL", name="submitted"),
        sa.CheckConstraint("(state IN ('accepted', 'changes_requested')) = (reviewed_at IS NOT NULL)",
                           name="reviewed"),
        sa.CheckConstraint("spent_cents IS NULL OR spent_cents >= 0", name="spent"),
        sa.CheckConstraint("unspent_cents IS NULL OR unspent_cents >= 0", name="unspent"),
        sa.Index("ix_reports_state_due_on", "state", "due_on"),
    )

    @property
    def kind_label(self) -> str:
        return REPORT_KINDS[self.kind]

    @property
    def state_label(self) -> str:
        if self.state == "open" and not self.answers:
            return "Not started"
        if self.state == "open":
            return "Draft"
        return REPORT_STATES[self.state]

    @property
    def is_final(self) -> bool:
        return self.kind == "final"

    def is_overdue(self, today: date) -> bool:
        return self.state in ("open", "changes_requested") and today > self.due_on

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.kind}#{self.sequence} {self.state}>"


class ReportReminder(db.Model):
    """One row per reminder sent; the unique (report, kind) makes sending idempotent."""

    __tablename__ = "report_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    #: the (frozen) day the reminder run believed it was, for tests and audits
    sent_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    due_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    recipients: Mapped[int] = mapped_column(nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    report = relationship("Report", back_populates="reminders")

    __table_args__ = (
        sa.UniqueConstraint("report_id", "kind", name="uq_report_reminders_report_kind"),
        sa.CheckConstraint(f"kind IN ({_in(REMINDER_KINDS)})", name="kind"),
    )


class Disbursement(db.Model):
    """Money actually paid against a tranche. Append-only in practice: a wrong
    entry is corrected by staff through the audit trail, never edited silently."""

    __tablename__ = "disbursements"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), nullable=False, index=True)
    tranche_id: Mapped[int] = mapped_column(sa.ForeignKey("payment_tranches.id"), nullable=False, index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    paid_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    reference: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    application = relationship("Application")
    tranche = relationship("PaymentTranche")
    recorded_by = relationship("User")

    __table_args__ = (sa.CheckConstraint("amount_cents > 0", name="amount"),)


class Closeout(TimestampMixin, db.Model):
    """What staff confirm during closeout beyond the reports themselves."""

    __tablename__ = "closeouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), nullable=False, unique=True)
    financial_report_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    financial_report_accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: award money that will not be paid (returned or never drawn down), recorded by staff
    unspent_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    unspent_note: Mapped[str | None] = mapped_column(sa.Text)
    unspent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unspent_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    application = relationship("Application")
    financial_report_accepted_by = relationship("User", foreign_keys=[financial_report_accepted_by_id])
    unspent_recorded_by = relationship("User", foreign_keys=[unspent_recorded_by_id])

    __table_args__ = (
        sa.CheckConstraint("unspent_cents IS NULL OR unspent_cents >= 0", name="unspent"),
        sa.CheckConstraint("(unspent_cents IS NULL) = (unspent_recorded_at IS NULL)", name="unspent_recorded"),
    )
