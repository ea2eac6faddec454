"""Who may touch webhooks: fund administrators only (an endpoint's secret and
the bodies it was sent are the fund's business)."""
from __future__ import annotations

from ..core.policy import kind, staff
from .models import WebhookDelivery, WebhookEndpoint

kind("webhook", model=WebhookEndpoint).action("manage")(staff)
kind("webhook_delivery", model=WebhookDelivery).action("view", "redeliver")(staff)
