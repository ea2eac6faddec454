"""What the applicant's pages show about an application beyond its answers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from ..core import formdefs
from ..core.models import AuditEvent
from ..core.workflow import meaning
from ..extensions import db


@dataclass(frozen=True)
class StaffMessage:
    at: datetime
    text: str
    state_label: str | None


def latest_staff_messages(applications) -> dict[int, StaffMessage]:
    """Per application, the newest comment a person of the fund made visible to
    the applicant (for example what more information they need), while it is
    current: a later move to another state ends it, and the system's own notes
    ("All assigned reviews are submitted.") are not messages. One query."""
    ids = [a.id for a in applications]
    if not ids:
        return {}
    by_id = {a.id: a for a in applications}
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.application_id.in_(ids), or_(
            AuditEvent.is_visible_to_applicant.is_(True), AuditEvent.to_state.is_not(None)))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    found: dict[int, StaffMessage] = {}
    settled: set[int] = set()  # applications whose current state's entry has been passed
    for event in events:
        application = by_id[event.application_id]
        if event.application_id in settled:
            continue
        if event.to_state:
            settled.add(event.application_id)  # older comments belong to an earlier state
        actor = event.actor
        if not (event.comment and event.is_visible_to_applicant) or actor is None or actor.organisation_id == application.organisation_id:
            continue  # the applicant's own words and the system's notes are not messages from the fund
        label = None
        if event.to_state:
            state = application.workflow.states.get(event.to_state)
            label = state.applicant_label if state else None
        found[event.application_id] = StaffMessage(event.created_at, event.comment, label)
        settled.add(event.application_id)
    return found


def next_page_to_fill(application) -> str:
    """The first page with something missing, else the first page."""
    definition = formdefs.definition_for(application)
    context = formdefs.application_context(application)
    answers = formdefs.merge(application.answers or {}, formdefs.sourced_values(definition, context))
    problems = formdefs.problems(definition, answers, context)
    return problems[0].page_id if problems and problems[0].page_id else definition.pages[0].id


#: pages other domains provide for an application in these stages (shown when installed);
#: the letters page once a decision is made, except while the award letter is being prepared
RELATED_PAGES = (
    ("awards.offer", ("offered",), "Review and accept the award offer"),
    ("awards.offer", (*meaning.GRANT_STAGES, "refused"), "Your award"),
    ("reporting.grant", meaning.GRANT_STAGES, "Reports and payments"),
    ("awards.application_letters", ("deciding", "unsuccessful", "offered", *meaning.GRANT_STAGES, "refused"),
     "Letters from the fund"),
)


def related_pages(application) -> list[tuple[str, str]]:
    """(label, url) of the award and reporting pages that apply to the application now."""
    from flask import current_app, url_for

    found = []
    definition = application.workflow
    state = definition.states.get(application.state)
    for endpoint, stages, label in RELATED_PAGES:
        if state is not None and state.is_decided and state.stage in stages \
                and endpoint in current_app.view_functions:
            found.append((label, url_for(endpoint, application_id=application.id)))
    return found
