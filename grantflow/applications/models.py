from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import UTCDateTime, utcnow
from ..core.workflow.registry import workflow_subject
from ..extensions import db


def reference_for(application_id: int) -> str:
    """The reference applicants and staff quote (for pages that read the id alone)."""
    return f"L2G-{application_id:05d}"


@workflow_subject
class Application(db.Model):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False,
                                                 index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    workflow_key: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    workflow_version: Mapped[int] = mapped_column(nullable=False)
    state: Mapped[str] = mapped_column(sa.String(60), nullable=False, index=True)
    form_key: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    form_version: Mapped[int] = mapped_column(nullable=False)
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    #: copied out of the answers on every save so lists, search and exports need no JSON parsing
    title: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    amount_requested_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    themes: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    #: optimistic lock: every UPDATE checks and bumps it (SQLAlchemy version_id_col)
    version: Mapped[int] = mapped_column(nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow,
                                                 nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    round = relationship("Round")
    organisation = relationship("Organisation")
    created_by = relationship("User")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.Index("ix_applications_round_state", "round_id", "state"),
        sa.CheckConstraint("amount_requested_cents IS NULL OR amount_requested_cents >= 0",
                           name="amount_requested"),
    )

    def on_state_changed(self, source: str, dest: str) -> None:
        """Called by the workflow engine inside the transition (no I/O here)."""
        now = utcnow()
        self.state_changed_at = now
        from ..core.workflow.engine import definition_for

        definition = definition_for(self)
        # leaving preparation for anything but a withdrawal is the submission
        if self.submitted_at is None and definition.stage_of(source) == "preparing" \
                and definition.stage_of(dest) != "retracted":
            self.submitted_at = now
        if definition.state(dest).is_decided and self.decided_at is None:
            self.decided_at = now

    @property
    def workflow(self):
        from ..core.workflow.engine import definition_for

        return definition_for(self)

    @property
    def stage(self) -> str:
        """What the current state means (its ``stage`` in the workflow file): templates ask this, never the name."""
        return self.workflow.stage_of(self.state)

    @property
    def state_label(self) -> str:
        return self.workflow.state(self.state).label

    @property
    def state_label_for_applicant(self) -> str:
        return self.workflow.state(self.state).applicant_label

    @property
    def reference(self) -> str:
        return reference_for(self.id)

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.state}>"


def report_document_key(report_id: int, field_key: str) -> str:
    """The ``field_key`` of a file filed with report ``report_id``."""
    return f"report{report_id}.{field_key}"


class Attachment(db.Model):
    """A file uploaded for one question of an application. The bytes live in
    the ``uploads`` storage area under a random name (never the uploaded one,
    never under the web root); answers refer to the row by id."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), nullable=False, index=True)
    #: the question: a field id, or ``group.field`` inside a repeatable group
    field_key: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    original_filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    #: detected from the content, not taken from the browser
    content_type: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    storage_name: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    application = relationship("Application")
    uploaded_by = relationship("User")

    __table_args__ = (sa.CheckConstraint("size_bytes >= 0", name="size"),)

    @property
    def is_report_document(self) -> bool:
        """Filed with a grant report (``report<id>.<field>``, see report_document_key),
        not with the application: seen by the grantee and staff, never by reviewers."""
        head, dot, _ = self.field_key.partition(".")
        return bool(dot) and head.startswith("report") and head[len("report"):].isdigit()

    @property
    def size_label(self) -> str:
        if self.size_bytes >= 1024 * 1024:
            return f"{self.size_bytes / (1024 * 1024):.1f} MB"
        return f"{max(1, round(self.size_bytes / 1024))} KB"

    @property
    def kind_label(self) -> str:
        from .uploads import KIND_LABELS

        return KIND_LABELS.get(self.content_type, self.content_type)
