"""Webhook endpoints, one delivery per (event, endpoint), one attempt per try."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import UTCDateTime, utcnow
from ..extensions import db

DELIVERY_STATUSES = ("pending", "delivered", "failed")


class WebhookEndpoint(db.Model):
    """A URL of the fund's other systems and the events it is sent."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000), nullable=False)
    description: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    #: event keys (``events.EVENTS``) this endpoint is sent
    events: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    #: signs every delivery (HMAC-SHA256); kept as is because signing needs it,
    #: shown to administrators only, replaced by ``rotate_secret``
    secret: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    is_active: Mapped[bool] = mapped_column(default=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookDelivery(db.Model):
    """One event for one endpoint: its body is fixed when the event happens;
    each try (and each redelivery) is a ``WebhookAttempt``."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
                                             nullable=False)
    event: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    #: the JSON body sent, exactly (the signature covers these bytes)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the background job sending it now (a redelivery starts a new one)
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("background_jobs.id"))

    endpoint = relationship(WebhookEndpoint)
    job = relationship("BackgroundJob")
    attempts = relationship("WebhookAttempt", order_by="WebhookAttempt.id", back_populates="delivery")

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
        sa.Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
    )


class WebhookAttempt(db.Model):
    """One HTTP request of a delivery: what the receiver answered, how long it
    took, or why there was no answer."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    response_status: Mapped[int | None] = mapped_column()
    duration_ms: Mapped[int] = mapped_column(nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    #: the start of the receiver's answer, for the log (never more than 1,000 characters)
    response_excerpt: Mapped[str | None] = mapped_column(sa.Text)

    delivery = relationship(WebhookDelivery, back_populates="attempts")

    @property
    def is_success(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300
