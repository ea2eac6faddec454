"""Authorisation table: webhooks (administrators only). Format: README.md.

The endpoint's URL is a closed port on 127.0.0.1: a redelivery's try runs
after the response and fails quietly, which is all the check needs."""
from grantflow.extensions import db
from grantflow.webhooks.models import WebhookDelivery, WebhookEndpoint


def _endpoint(s):
    endpoint = WebhookEndpoint(url="http://127.0.0.1:9/hook", events=["grant.closed"], secret="whsec_authz",
                               created_by_id=s.admin.id)
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def _delivery(s):
    delivery = WebhookDelivery(endpoint=s.webhook_endpoint, event="grant.closed", body="{}", status="failed")
    db.session.add(delivery)
    db.session.flush()
    return delivery


SCENARIO = {"webhook_endpoint": _endpoint, "webhook_delivery": _delivery}
URL_ARGS = {"endpoint_id": "webhook_endpoint.id", "delivery_id": "webhook_delivery.id"}

ADMIN = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 200}
VALID = {"url": "http://127.0.0.1:9/hook", "events": ["grant.closed"], "description": "Authz"}

ROUTES = {
    "webhooks.endpoints": ADMIN,
    "webhooks.new_endpoint": {**ADMIN, "post": {**ADMIN, "admin": 302}, "data": VALID},
    "webhooks.endpoint": {**ADMIN, "post": {**ADMIN, "admin": 302}, "data": VALID},
    "webhooks.rotate_secret": {**ADMIN, "admin": 302},
    "webhooks.delivery": ADMIN,
    "webhooks.redeliver": {**ADMIN, "admin": 302},
}
