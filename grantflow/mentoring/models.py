"""Mentor profiles, requests for a mentor, matches and logged conversations.

A match row is never deleted: turned down, rejected or ended, it stays and
keeps the same pair from being proposed again for that request (and an
introduction keeps the two organisations "in contact" for later runs)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import TimestampMixin, UTCDateTime, utcnow
from ..extensions import db

REQUEST_STATUSES = ("open", "matched", "cancelled")
#: proposed (by the solver or an administrator) -> approved (by an administrator)
#: -> introduced (both parties accepted); or turned down by a party, rejected by
#: an administrator, cancelled (a party left the network), ended (by a party)
MATCH_STATUSES = ("proposed", "approved", "introduced", "turned_down", "rejected", "cancelled", "ended")
#: statuses that hold one of the mentor's places and the request's turn
LIVE_MATCH_STATUSES = ("proposed", "approved", "introduced")
MATCH_STATUS_LABELS = {
    "proposed": "Proposed, waiting for the fund's approval", "approved": "Waiting for both of you to accept",
    "introduced": "Introduced", "turned_down": "Turned down", "rejected": "Not approved by the fund",
    "cancelled": "Canceled", "ended": "Ended",
}
MAX_MENTEES = 10


class MentorProfile(TimestampMixin, db.Model):
    """A grantee who offers to mentor. ``opted_in`` False keeps the profile for
    a later return but takes them out of matching and the directory."""

    __tablename__ = "mentor_profiles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: theme ids of the application forms (reviews.themes), as reviewers' expertise
    themes: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    #: organisations.APPLICANT_TYPES letter: the kind of government they know
    applicant_type: Mapped[str] = mapped_column(sa.String(1), nullable=False)
    #: two-letter state or territory code (its Census region follows from it)
    us_state: Mapped[str] = mapped_column(sa.String(2), nullable=False)
    #: language codes of mentoring.vocabulary.LANGUAGES
    languages: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    max_mentees: Mapped[int] = mapped_column(nullable=False, default=2)
    note: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    #: consent to be listed for signed-in applicants and grantees (never in open data or exports)
    is_visible: Mapped[bool] = mapped_column(default=False, nullable=False)
    opted_in: Mapped[bool] = mapped_column(default=True, nullable=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")

    __table_args__ = (
        sa.CheckConstraint(f"max_mentees >= 1 AND max_mentees <= {MAX_MENTEES}", name="max_mentees"),
        sa.CheckConstraint("opted_in OR opted_out_at IS NOT NULL", name="opted_out_at"),
    )


class MentorRequest(db.Model):
    """An applicant drafting an application, or a new grantee, asks for a mentor."""

    __tablename__ = "mentor_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False)
    themes: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    languages: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    needs: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")
    organisation = relationship("Organisation")
    matches = relationship("MentorMatch", back_populates="request", order_by="MentorMatch.id")

    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'matched', 'cancelled')", name="status"),
        sa.CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_at"),
    )


class MentorMatch(db.Model):
    __tablename__ = "mentor_matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("mentor_requests.id"), nullable=False, index=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="proposed")
    #: "automatic" (the solver) or "manual" (an administrator chose the mentor)
    source: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="automatic")
    #: 0-100 when proposed (mentoring.matching.pair_score)
    score: Mapped[int] = mapped_column(nullable=False, default=0)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mentor_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mentee_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    introduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_reason: Mapped[str | None] = mapped_column(sa.Text)

    request = relationship("MentorRequest", back_populates="matches")
    mentor = relationship("User", foreign_keys=[mentor_id])
    mentee = relationship("User", foreign_keys=[mentee_id])
    conversations = relationship("MentoringConversation", back_populates="match",
                                 order_by="MentoringConversation.held_on.desc()")

    __table_args__ = (
        sa.UniqueConstraint("request_id", "mentor_id"),  # never the same pair twice for a request
        sa.CheckConstraint("status IN ('proposed', 'approved', 'introduced', 'turned_down', 'rejected', "
                           "'cancelled', 'ended')", name="status"),
        sa.CheckConstraint("source IN ('automatic', 'manual')", name="source"),
        sa.CheckConstraint("mentor_id <> mentee_id", name="two_people"),
        sa.CheckConstraint("(status = 'introduced') = (introduced_at IS NOT NULL AND closed_at IS NULL)",
                           name="introduced"),
    )

    @property
    def status_label(self) -> str:
        return MATCH_STATUS_LABELS[self.status]

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_MATCH_STATUSES

    def party(self, user) -> str | None:
        """"mentor", "mentee" or None: which side of the match the user is on."""
        if user.id == self.mentor_id:
            return "mentor"
        if user.id == self.mentee_id:
            return "mentee"
        return None

    def accepted_by(self, side: str) -> bool:
        return (self.mentor_accepted_at if side == "mentor" else self.mentee_accepted_at) is not None


class MentoringConversation(db.Model):
    __tablename__ = "mentoring_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(sa.ForeignKey("mentor_matches.id"), nullable=False, index=True)
    logged_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    held_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    topic: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    outcome: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    match = relationship("MentorMatch", back_populates="conversations")
    logged_by = relationship("User")
