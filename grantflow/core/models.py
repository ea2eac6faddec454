"""Models shared by every domain: the audit log, background jobs and the mail outbox."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from .db import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """Append-only: who did what, when, to which object, from which state to which."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    subject_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    from_state: Mapped[str | None] = mapped_column(sa.String(60))
    to_state: Mapped[str | None] = mapped_column(sa.String(60))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    #: whether the applicant sees this entry (with its comment) on their timeline
    is_visible_to_applicant: Mapped[bool] = mapped_column(default=False, nullable=False)

    actor = relationship("User", foreign_keys=[actor_id])
    application = relationship("Application", foreign_keys=[application_id])

    __table_args__ = (sa.Index("ix_audit_events_subject", "subject_type", "subject_id"),)


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError("the audit log is append-only")


class BackgroundJob(db.Model):
    """One row per job so its progress can be shown and a failure retried."""

    __tablename__ = "background_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    args: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), default="queued", nullable=False, index=True)
    progress_done: Mapped[int] = mapped_column(default=0, nullable=False)
    progress_total: Mapped[int] = mapped_column(default=0, nullable=False)
    result: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when a worker's queue (Redis) accepted it; None: not handed over yet
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: while running, renewed by the process running it: its lease
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: a retry after a transient failure waits until then (back-off)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    )

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        if not self.progress_total:
            return 0
        return int(100 * self.progress_done / self.progress_total)


class OutboxEmail(db.Model):
    """Every email GrantFlow sends. Without MAIL_SERVER this is where mail ends
    up, readable by administrators in the UI."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)
    recipient: Mapped[str] = mapped_column(sa.String(255), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    body_text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    template: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(sa.Text)
