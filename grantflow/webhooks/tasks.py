"""The background job that sends one delivery (RQ with REDIS_URL, in-process
otherwise). A failed try is logged, then ``RetryLater`` has the job system try
again after its back-off (doubled at each try), at most
``WEBHOOK_MAX_ATTEMPTS`` tries; the last failure leaves the delivery failed,
with Retry on its page."""
from __future__ import annotations

from flask import current_app

from ..core import outbox
from ..core.db import utcnow
from ..core.jobs import RetryLater
from ..extensions import db
from .models import WebhookAttempt, WebhookDelivery
from .sending import post

DELIVER_TASK = "grantflow.webhooks.tasks.deliver"


def deliver(job, delivery_id: int) -> dict:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status == "delivered":
        return {"skipped": "already delivered" if delivery else "deleted"}
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        delivery.status = "failed"
        db.session.add(WebhookAttempt(delivery=delivery, error="The endpoint is turned off: nothing was sent."))
        return {"skipped": "endpoint turned off"}
    outcome = post(endpoint.url, delivery.body.encode(), endpoint.secret,
                   {"GrantFlow-Event": delivery.event, "GrantFlow-Delivery": str(delivery.id)})
    db.session.add(WebhookAttempt(delivery=delivery, response_status=outcome.response_status,
                                  duration_ms=outcome.duration_ms, error=outcome.error,
                                  response_excerpt=outcome.excerpt))
    if outcome.is_success:
        delivery.status = "delivered"
        delivery.delivered_at = utcnow()
        return {"status": outcome.response_status, "duration_ms": outcome.duration_ms}
    max_attempts = current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    delivery.status = "failed" if job.attempts >= max_attempts else "pending"
    outbox.commit()  # the attempt stays in the log whatever the job does next
    raise RetryLater(outcome.error, max_attempts=max_attempts)
