"""The events a webhook can be sent, found by what they mean.

Each event is read off a signal a lower domain already sends in its own
transaction: the workflow engine's ``application_moved`` (a move's meaning is
the stage it leaves and the stage it enters, as the workflow file declares
them), the awards domain's ``award_accepted`` and reporting's
``report_submitted``. A delivery row and its job are written in that same
transaction: a rolled-back move sends nothing, a committed one is never lost."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from ..awards.signals import award_accepted
from ..core import jobs
from ..core.db import utcnow
from ..core.workflow.engine import definition_for
from ..core.workflow.signals import application_moved
from ..extensions import db
from ..reporting.signals import report_submitted
from .models import WebhookDelivery, WebhookEndpoint
from .tasks import DELIVER_TASK

#: event key -> what an administrator ticks (the key is what receivers read in ``event``)
EVENTS = {
    "application.submitted": "Application submitted",
    "application.decided": "Application decided (selected for funding, or not funded)",
    "award.accepted": "Award accepted by the applicant",
    "report.submitted": "Report submitted by a grantee",
    "grant.closed": "Grant closed",
}

#: event -> whether a move from one stage (as the workflow file declares it) to another is it
MOVE_EVENTS = (
    ("application.submitted", lambda before, after: before == "preparing" and after not in ("preparing", "retracted")),
    ("application.decided", lambda before, after: after in ("selected", "unsuccessful") and before != after),
    ("grant.closed", lambda before, after: after == "completed" and before != after),
)


def move_event(before: str, after: str) -> str | None:
    return next((key for key, happened in MOVE_EVENTS if happened(before, after)), None)


def application_data(application) -> dict:
    definition = definition_for(application)
    state = definition.states[application.state]
    round_ = application.round
    return {
        "id": application.id, "reference": application.reference, "title": application.title,
        "state": application.state, "state_label": state.label, "stage": state.stage,
        "amount_requested_cents": application.amount_requested_cents,
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
        "organization": {"id": application.organisation_id, "name": application.organisation.name},
        "round": {"id": round_.id, "name": round_.name},
        "fund": {"slug": round_.fund.slug, "name": round_.fund.name},
    }


def emit(key: str, data: dict) -> list[WebhookDelivery]:
    """A delivery (and its job) for each active endpoint that wants ``key``,
    in the current transaction."""
    endpoints = [e for e in db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.is_active.is_(True))
                                               .order_by(WebhookEndpoint.id)) if key in (e.events or [])]
    if not endpoints:
        return []
    body = json.dumps({"id": f"evt_{uuid.uuid4().hex}", "event": key, "occurred_at": utcnow().isoformat(),
                       "data": data}, sort_keys=True)
    deliveries = []
    for endpoint in endpoints:
        delivery = WebhookDelivery(endpoint=endpoint, event=key, body=body)
        db.session.add(delivery)
        db.session.flush()
        # run once the response is sent (in-process): a slow receiver never slows the page
        delivery.job_id = jobs.enqueue(DELIVER_TASK, after_response=True, delivery_id=delivery.id).id
        deliveries.append(delivery)
    return deliveries


@application_moved.connect
def _on_move(application, *, source: str, dest: str, actor=None, comment=None, **_) -> None:
    definition = definition_for(application)
    key = move_event(definition.stage_of(source), definition.stage_of(dest))
    if key is not None:
        emit(key, {"application": application_data(application),
                   "from_state": source, "comment": comment if key == "application.decided" else None})


@award_accepted.connect
def _on_award_accepted(award, actor=None, **_) -> None:
    emit("award.accepted", {
        "application": application_data(award.application),
        "award": {"number": award.award_number, "amount_cents": award.amount_cents,
                  "period_start": award.period_start.isoformat(), "period_end": award.period_end.isoformat(),
                  "accepted_at": award.accepted_at.isoformat() if award.accepted_at else None}})


@report_submitted.connect
def _on_report_submitted(report, actor=None, resubmitted: bool = False, **_) -> None:
    emit("report.submitted", {
        "application": application_data(report.application),
        "report": {"id": report.id, "title": report.title, "kind": report.kind, "is_final": report.is_final,
                   "due_on": report.due_on.isoformat(), "resubmitted": resubmitted,
                   "period_start": report.period_start.isoformat() if report.period_start else None,
                   "period_end": report.period_end.isoformat() if report.period_end else None}})
