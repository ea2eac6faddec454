"""Administrators' verbs on webhooks: each takes the acting user, is audited,
flushes and never commits (the request does)."""
from __future__ import annotations

import secrets

from ..core import jobs
from ..core.audit import record_event
from ..core.db import utcnow
from ..core.policy import can
from ..core.refusal import Refused
from ..extensions import db
from .addresses import check_url
from .events import EVENTS
from .models import WebhookDelivery, WebhookEndpoint
from .tasks import DELIVER_TASK


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _ensure_admin(actor) -> None:
    decision = can(actor, "manage", "webhook")
    if not decision:
        raise Refused(decision.reason)


def _checked_events(events) -> list[str]:
    chosen = [key for key in EVENTS if key in set(events or ())]
    if not chosen:
        raise Refused("Choose at least one event.", field="events")
    return chosen


def create_endpoint(actor, *, url: str, events, description: str = "") -> WebhookEndpoint:
    _ensure_admin(actor)
    endpoint = WebhookEndpoint(url=check_url(url), events=_checked_events(events),
                               description=(description or "").strip(), secret=new_secret(),
                               created_by_id=actor.id)
    db.session.add(endpoint)
    db.session.flush()
    record_event(actor=actor, action="webhooks.endpoint_created", subject=endpoint,
                 data={"url": endpoint.url, "events": endpoint.events})
    return endpoint


def update_endpoint(endpoint: WebhookEndpoint, actor, *, url: str, events, description: str = "",
                    is_active: bool = True) -> WebhookEndpoint:
    _ensure_admin(actor)
    before = {"url": endpoint.url, "events": list(endpoint.events), "description": endpoint.description,
              "is_active": endpoint.is_active}
    endpoint.url = check_url(url)
    endpoint.events = _checked_events(events)
    endpoint.description = (description or "").strip()
    endpoint.is_active = bool(is_active)
    after = {"url": endpoint.url, "events": endpoint.events, "description": endpoint.description,
             "is_active": endpoint.is_active}
    changed = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
    if changed:
        db.session.flush()
        record_event(actor=actor, action="webhooks.endpoint_changed", subject=endpoint, data=changed)
    return endpoint


def rotate_secret(endpoint: WebhookEndpoint, actor) -> str:
    """A new signing secret from now on (the old one stops working at once);
    the audit row says when and by whom, never the secret."""
    _ensure_admin(actor)
    endpoint.secret = new_secret()
    endpoint.secret_rotated_at = utcnow()
    db.session.flush()
    record_event(actor=actor, action="webhooks.secret_rotated", subject=endpoint)
    return endpoint.secret


def redeliver(delivery: WebhookDelivery, actor) -> WebhookDelivery:
    """Send the same body again (a new job, its own tries), say after the
    receiver was fixed; refused while a try is running."""
    _ensure_admin(actor)
    if delivery.job is not None and delivery.job.status == "running":
        raise Refused("This delivery is being sent right now: wait for it to finish, then reload the page.")
    if not delivery.endpoint.is_active:
        raise Refused("Turn the endpoint on first: a turned-off endpoint is sent nothing.")
    delivery.status = "pending"
    delivery.delivered_at = None
    delivery.job_id = jobs.enqueue(DELIVER_TASK, actor=actor, after_response=True, delivery_id=delivery.id).id
    record_event(actor=actor, action="webhooks.redelivered", subject=delivery,
                 data={"endpoint_id": delivery.endpoint_id, "event": delivery.event})
    return delivery
