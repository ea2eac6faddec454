"""With REDIS_URL, a delivery is an RQ job: nothing is sent by the request's
process, and a real worker process sends it, signed, to the receiver."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from grantflow.core import jobs
from grantflow.extensions import db
from grantflow.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.awards.test_rq_letters import redis_queue, run_worker  # noqa: F401  (the fixture)
from tests.webhooks.test_deliveries import submit_one

pytestmark = pytest.mark.redis


def test_a_worker_process_sends_the_delivery_from_redis(app, receiver, redis_queue):  # noqa: F811
    endpoint = WebhookEndpoint(url=receiver.url, events=["application.submitted"], secret="whsec_rq",
                               created_by_id=factories.create_user("admin").id)
    db.session.add(endpoint)
    receiver.secret = endpoint.secret
    submit_one(factories.create_round())
    assert jobs.get_queue().count == 1 and receiver.received == []  # queued, not sent in-process
    db.session.close()  # the test holds no connection while the worker writes

    worker = run_worker(app, redis_queue)
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert [r.payload["event"] for r in receiver.received] == ["application.submitted"]
    assert receiver.received[0].signature_ok
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "delivered" and delivery.job.status == "done"
