"""Reviewer profiles, review assignments and reviews.

An assignment row is never deleted: a recusal, a decline or a removal by an
administrator ends it, and the ended row keeps that reviewer from being
assigned to the same application again."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import TimestampMixin, UTCDateTime, utcnow
from ..extensions import db

DEFAULT_MAX_PER_ROUND = 20

ASSIGNMENT_STATUSES = ("active", "recused", "declined", "removed")
ASSIGNMENT_STATUS_LABELS = {
    "active": "Assigned", "recused": "Recused (conflict of interest)", "declined": "Declined",
    "removed": "Removed by an administrator",
}
COI_STATUSES = ("undeclared", "none", "conflict")
REVIEW_STATUSES = ("draft", "submitted")


class ReviewerProfile(TimestampMixin, db.Model):
    """What the assignment needs to know about a reviewer."""

    __tablename__ = "reviewer_profiles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: theme ids of the application form (see forms/applications/)
    expertise_themes: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    #: two-letter state or territory codes whose applicants this reviewer must not review
    conflicted_states: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    #: organisation ids this reviewer must not review (employer, family, recent collaboration)
    conflicted_organisation_ids: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    max_applications_per_round: Mapped[int] = mapped_column(nullable=False, default=DEFAULT_MAX_PER_ROUND)
    conflict_notes: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)

    user = relationship("User")

    __table_args__ = (sa.CheckConstraint("max_applications_per_round >= 0", name="max_per_round"),)


class ReviewAssignment(db.Model):
    __tablename__ = "review_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), nullable=False, index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), nullable=False, index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="active")
    #: "automatic" (the solver) or "manual" (an administrator)
    source: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="automatic")
    #: expertise match 0-100 when assigned (share of the application's themes the reviewer knows)
    match_score: Mapped[int] = mapped_column(nullable=False, default=0)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    coi_status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="undeclared")
    coi_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    conflict_reason: Mapped[str | None] = mapped_column(sa.Text)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ended_reason: Mapped[str | None] = mapped_column(sa.Text)

    application = relationship("Application")
    reviewer = relationship("User", foreign_keys=[reviewer_id])
    round = relationship("Round")
    review = relationship("Review", back_populates="assignment", uselist=False)

    __table_args__ = (
        sa.UniqueConstraint("application_id", "reviewer_id", name="pair"),
        # round last: the queue looks up a reviewer's active assignments in the
        # few rounds now in review, not through every assignment they ever had
        sa.Index("ix_review_assignments_reviewer_status_round", "reviewer_id", "status", "round_id"),
        sa.CheckConstraint("status IN ('active', 'recused', 'declined', 'removed')", name="status"),
        sa.CheckConstraint("source IN ('automatic', 'manual')", name="source"),
        sa.CheckConstraint("coi_status IN ('undeclared', 'none', 'conflict')", name="coi_status"),
        # a declared conflict is exactly what recuses a reviewer
        sa.CheckConstraint("(coi_status = 'conflict') = (status = 'recused')", name="recused_iff_conflict"),
        sa.CheckConstraint("(coi_status = 'undeclared') = (coi_declared_at IS NULL)", name="coi_declared"),
        sa.CheckConstraint("(status = 'active') = (ended_at IS NULL)", name="ended"),
    )

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def status_label(self) -> str:
        return ASSIGNMENT_STATUS_LABELS[self.status]

    @property
    def review_status(self) -> str:
        """not_started, draft or submitted (what the reviewer's queue shows)."""
        return self.review.status if self.review is not None else "not_started"


class Review(TimestampMixin, db.Model):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("review_assignments.id"), unique=True,
                                               nullable=False)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), nullable=False, index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    #: the rubric this review was scored against, kept when a new version is published
    rubric_key: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    rubric_version: Mapped[int] = mapped_column(nullable=False)
    #: criterion id -> score on the rubric's scale
    scores: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    #: criterion id -> comment
    comments: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    recommendation: Mapped[str | None] = mapped_column(sa.String(40))
    overall_comment: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="draft")
    #: 0-100, set once every criterion is scored (see Rubric.weighted_score)
    weighted_score: Mapped[float | None] = mapped_column(sa.Float)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    assignment = relationship("ReviewAssignment", back_populates="review")
    reviewer = relationship("User", foreign_keys=[reviewer_id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        sa.CheckConstraint("(status = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_at"),
        sa.CheckConstraint("status = 'draft' OR (weighted_score IS NOT NULL AND recommendation IS NOT NULL)",
                           name="submitted_complete"),
        sa.CheckConstraint("weighted_score IS NULL OR (weighted_score >= 0 AND weighted_score <= 100)",
                           name="weighted_score"),
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == "submitted"


class RoundCalibration(db.Model):
    """A round's calibrated scores, fitted once and stored (derived data).

    Fitting a round of 20,000 reviews takes a tenth of a second or more, too
    much to repeat per export or page. ``fingerprint`` records which reviews
    and which shrinkage setting the fit came from (``calibration_store``); a
    reader that finds it out of date fits afresh instead of trusting it, so a
    stale row can cost time but never a wrong score."""

    __tablename__ = "round_calibrations"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    shrinkage: Mapped[float] = mapped_column(sa.Float, nullable=False)
    sigma: Mapped[float | None] = mapped_column(sa.Float)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class CalibratedScore(db.Model):
    """One application's calibrated score (its fitted merit, 0-100) from its round's stored fit."""

    __tablename__ = "calibrated_scores"

    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"),
                                                primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    merit: Mapped[float] = mapped_column(sa.Float, nullable=False)
    standard_error: Mapped[float | None] = mapped_column(sa.Float)
