"""Webhooks end to end: an administrator registers a receiver on 127.0.0.1
through the pages, the application's life sends each event there signed, a
failing receiver is retried with back-off and then shows a visible failure
with Retry, and every change is audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from grantflow.applications.operations import start_application, submit_application
from grantflow.core import dispatcher, outbox
from grantflow.core.db import utcnow
from grantflow.core.models import AuditEvent, BackgroundJob
from grantflow.demo import answers as demo_answers
from grantflow.extensions import db
from grantflow.webhooks.events import EVENTS, move_event
from grantflow.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.factories_reviews import create_reviewer
from tests.meaning.lifecycle import facts, live_through


def register(client, admin, login_as, receiver, events=tuple(EVENTS)) -> WebhookEndpoint:
    """Through the page, as an administrator would; the secret comes from the app."""
    login_as(admin)
    response = client.post("/admin/webhooks/new", data={"url": receiver.url, "description": "Finance system",
                                                        "events": list(events)})
    assert response.status_code == 302, response.get_data(as_text=True)
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert endpoint.secret in page  # shown to the administrator to copy
    receiver.secret = endpoint.secret
    return endpoint


def submit_one(round_) -> object:
    org = factories.create_organisation(name="Town of Hookville")
    lead = factories.create_user("applicant", organisation=org, name="Dana Whitfield")
    answers = demo_answers.from_examples(round_.application_form(), facts("Hookville exchange", utcnow().date()))
    application = start_application(round_, org, lead, answers)
    submit_application(application, lead)
    outbox.commit()
    return application


@pytest.mark.parametrize("before, after, event", [
    ("preparing", "received", "application.submitted"),
    ("preparing", "checking", "application.submitted"),
    ("preparing", "retracted", None),
    ("checking", "checking", None),
    ("checking", "reviewing", None),
    ("deciding", "selected", "application.decided"),
    ("reviewing", "unsuccessful", "application.decided"),
    ("checking", "unsuccessful", "application.decided"),
    ("deciding", "deciding", None),
    ("offered", "funded", None),          # award.accepted comes from the awards domain's signal
    ("closing", "completed", "grant.closed"),
])
def test_which_moves_are_events_by_their_stages(before, after, event):
    assert move_event(before, after) == event


def test_every_event_of_a_grants_life_reaches_the_receiver_signed(app, client, login_as, receiver):
    admin = factories.create_user("admin")
    for n in range(3):
        create_reviewer(expertise=("climate",), name=f"Reviewer {n}")
    round_ = factories.create_round()
    endpoint = register(client, admin, login_as, receiver)
    application = live_through(round_, admin, title="Hookville exchange")
    kinds = receiver.events()
    for event in EVENTS:
        assert event in kinds, f"{event} never reached the receiver (got {kinds})"
    assert kinds.count("application.submitted") == 1 and kinds.count("grant.closed") == 1
    assert all(r.signature_ok for r in receiver.received)
    first = receiver.received[0]
    assert first.path == "/hooks/grantflow?source=test"
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["GrantFlow-Event"] == "application.submitted"
    data = first.payload["data"]["application"]
    assert (data["id"], data["reference"], data["stage"]) == (application.id, application.reference, "received")
    closed = next(r.payload for r in receiver.received if r.payload["event"] == "grant.closed")
    assert closed["data"]["application"]["stage"] == "completed"
    accepted = next(r.payload for r in receiver.received if r.payload["event"] == "award.accepted")
    assert accepted["data"]["award"]["amount_cents"] > 0
    deliveries = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)).all()
    assert {d.status for d in deliveries} == {"delivered"}
    assert len(deliveries) == len(receiver.received)
    log = client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Grant closed" in log and "Delivered" in log and " ms" in log


def test_only_the_chosen_events_are_sent_and_a_rolled_back_move_sends_nothing(app, client, login_as, receiver):
    admin = factories.create_user("admin")
    round_ = factories.create_round()
    register(client, admin, login_as, receiver, events=["grant.closed"])
    submit_one(round_)
    assert receiver.received == []
    org = factories.create_organisation()
    lead = factories.create_user("applicant", organisation=org)
    answers = demo_answers.from_examples(round_.application_form(), facts("Rolled back", utcnow().date()))
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    endpoint.events = list(EVENTS)
    outbox.commit()
    application = start_application(round_, org, lead, answers)
    submit_application(application, lead)
    db.session.rollback()
    outbox.commit()
    assert receiver.received == [] and db.session.scalars(select(WebhookDelivery)).all() == []


def test_a_failing_receiver_is_retried_with_back_off_then_fails_visibly_and_retry_delivers(
        app, client, login_as, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 3)
    admin = factories.create_user("admin")
    round_ = factories.create_round()
    endpoint = register(client, admin, login_as, receiver, events=["application.submitted"])
    receiver.status = 500
    submit_one(round_)
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    job = db.session.get(BackgroundJob, delivery.job_id)
    assert (delivery.status, job.status, job.attempts) == ("pending", "queued", 1)
    first_wait = job.retry_at - utcnow()
    assert timedelta(seconds=20) < first_wait <= timedelta(seconds=app.config["JOB_RETRY_SECONDS"])
    assert "answered HTTP 500" in job.error

    # nothing is tried again before the back-off has passed
    assert dispatcher.sweep(files=False).handed_over == []
    db.session.refresh(job)
    assert job.attempts == 1
    dispatcher.sweep(now=job.retry_at + timedelta(seconds=1), grace=timedelta(0), files=False)
    db.session.refresh(job)
    assert job.attempts == 2 and job.status == "queued"
    assert job.retry_at - utcnow() > first_wait + timedelta(seconds=20)  # doubled
    dispatcher.sweep(now=job.retry_at + timedelta(seconds=1), grace=timedelta(0), files=False)
    db.session.expire_all()
    assert (job.status, job.attempts, delivery.status) == ("failed", 3, "failed")
    assert "Gave up after 3 attempts" in job.error
    assert len(receiver.received) == 3 and all(r.signature_ok for r in receiver.received)
    attempts = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
    assert [a.response_status for a in attempts] == [500, 500, 500]
    assert all(a.error == "The receiver answered HTTP 500." and a.duration_ms >= 0 for a in attempts)

    log = client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Failed" in log and "The receiver answered HTTP 500." in log
    page = client.get(f"/admin/webhooks/{endpoint.id}/deliveries/{delivery.id}").get_data(as_text=True)
    assert ">Retry</button>" in page and page.count("badge warn\">500") == 3

    receiver.status = 200
    response = client.post(f"/admin/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver")
    assert response.status_code == 302
    response.close()  # without Redis the try runs once the response is sent
    db.session.expire_all()
    assert delivery.status == "delivered" and len(receiver.received) == 4
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "webhooks.redelivered")).one()
    # the same body, signed again at the new time
    assert receiver.received[-1].body == receiver.received[0].body


def test_a_redirect_is_not_followed_and_a_dead_receiver_is_logged(app, client, login_as, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 1)
    admin = factories.create_user("admin")
    round_ = factories.create_round()
    endpoint = register(client, admin, login_as, receiver, events=["application.submitted"])
    receiver.status, receiver.location = 307, "http://169.254.169.254/latest/meta-data"
    submit_one(round_)
    attempt = db.session.scalars(select(WebhookAttempt)).one()
    assert attempt.response_status == 307 and "redirects are not followed" in attempt.error
    assert len(receiver.received) == 1  # nothing went to the redirect's target
    receiver.server.shutdown()
    receiver.server.server_close()
    delivery = attempt.delivery
    client.post(f"/admin/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver").close()
    db.session.expire_all()
    last = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id.desc())).first()
    assert last.response_status is None and last.error.startswith("No answer")
    assert delivery.status == "failed"


def test_secret_rotation_and_changes_are_audited_and_the_new_secret_signs(app, client, login_as, receiver):
    admin = factories.create_user("admin")
    round_ = factories.create_round()
    endpoint = register(client, admin, login_as, receiver, events=["application.submitted"])
    old = endpoint.secret
    assert client.post(f"/admin/webhooks/{endpoint.id}/secret").status_code == 302
    db.session.expire_all()
    assert endpoint.secret != old and endpoint.secret_rotated_at is not None
    receiver.secret = endpoint.secret
    submit_one(round_)
    assert receiver.received[-1].signature_ok
    response = client.post(f"/admin/webhooks/{endpoint.id}", data={
        "url": receiver.url, "description": "Finance", "events": ["grant.closed"]})  # unticked: turned off
    assert response.status_code == 302
    db.session.expire_all()
    assert endpoint.is_active is False and endpoint.events == ["grant.closed"]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "WebhookEndpoint")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["webhooks.endpoint_created", "webhooks.secret_rotated", "webhooks.endpoint_changed"]
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "webhooks.secret_rotated")).one()
    assert endpoint.secret not in str(audit.data) and old not in str(audit.data)


@pytest.mark.parametrize("data, error", [
    ({"url": "", "events": ["grant.closed"]}, "Enter the URL"),
    ({"url": "ftp://example.org/x", "events": ["grant.closed"]}, "must start with https://"),
    ({"url": "http://127.0.0.1:9/x", "events": []}, "Choose at least one event"),
    ({"url": "http://127.0.0.1:9/x", "events": ["not.an.event"]}, "is not a valid choice"),
])
def test_a_bad_endpoint_is_shown_again_with_the_reason(client, login_as, data, error):
    login_as(factories.create_user("admin"))
    response = client.post("/admin/webhooks/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and error in page and 'role="alert"' in page
    assert db.session.scalars(select(WebhookEndpoint)).all() == []
