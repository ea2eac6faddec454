"""A message from the fund to every applicant of a round, or to those whose
application is in chosen states (issue 17).

The message is kept on each application's timeline as a message from the
fund (the applicant reads it on the application's page and can reply there),
and each person of the applying organizations gets one email, however many of
the round's applications they are on. The emails go through the outbox: rows
written in this transaction, sent after the commit."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..applications.models import Application
from ..core.audit import record_event
from ..core.mail import send_email
from ..core.policy import can
from ..core.refusal import Refused
from ..core.workflow.engine import get_definition
from ..extensions import db
from ..organisations.models import Organisation
from ..users.operations import absolute_url

SUBJECT_MAX = 150
TEXT_MAX = 4000
#: the timeline entry of each application (the applicant's timeline shows it, with its text)
ACTION = "application.fund_message"


@dataclass
class Recipients:
    """Who a message reaches: the applications it is kept on and the people it is emailed to."""
    applications: list = field(default_factory=list)
    #: user -> their applications among ``applications``, in the order of the first
    people: dict = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """Names this exact set of applications and people: a send checks it
        against the preview's, so nobody is emailed who was not shown."""
        ids = ",".join(str(a.id) for a in self.applications) + "|" + ",".join(str(p.id) for p in self.people)
        return hashlib.sha256(ids.encode()).hexdigest()[:20]


def state_choices(round_) -> list[tuple[str, str]]:
    """The states of the round's workflow, in the file's order, with their labels."""
    definition = get_definition(round_.workflow_key, round_.workflow_version)
    return [(state.name, state.label) for state in definition.states.values()]


def recipients(round_, states=()) -> Recipients:
    query = (select(Application).where(Application.round_id == round_.id)
             .options(joinedload(Application.organisation).selectinload(Organisation.members))
             .order_by(Application.id))
    if states:
        query = query.where(Application.state.in_(list(states)))
    found = Recipients(applications=list(db.session.scalars(query).unique()))
    for application in found.applications:
        for member in sorted(application.organisation.members, key=lambda m: (m.name, m.id)):
            if member.is_active:
                found.people.setdefault(member, []).append(application)
    return found


def _checked(subject: str, text: str) -> tuple[str, str]:
    subject, text = (subject or "").strip(), (text or "").strip()
    if not subject:
        raise Refused("Write a subject.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise Refused(f"Keep the subject under {SUBJECT_MAX} characters.", field="subject")
    if not text:
        raise Refused("Write the message.", field="text")
    if len(text) > TEXT_MAX:
        raise Refused(f"Keep the message under {TEXT_MAX:,} characters (it has {len(text):,}).", field="text")
    return subject, text


def message_round_applicants(round_, actor, *, subject: str, text: str, states=(),
                             previewed: str | None = None) -> Recipients:
    """Keep the message on each chosen application's timeline and email each
    of their people once; audited. ``previewed``: the digest of the recipients
    the sender saw, refused if they changed since. Flushes, never commits."""
    decision = can(actor, "manage", round_)
    if not decision:
        raise Refused(decision.reason)
    subject, text = _checked(subject, text)
    found = recipients(round_, states)
    if not found.people:
        raise Refused("No one would receive this message: no application of the round matches, or their "
                      "organizations have no active account.", field="states")
    if previewed is not None and previewed != found.digest:
        raise Refused("The recipients changed since the preview (an application moved or arrived): check the "
                      "new list, then send.", field="states")
    for application in found.applications:
        record_event(actor=actor, action=ACTION, application=application, comment=text, visible_to_applicant=True,
                     data={"label": f"Message from the fund: {subject}", "subject": subject})
    for person, applications in found.people.items():
        send_email(person.email, "round_message", user=person, round=round_, subject=subject, text=text,
                   applications=[(a, absolute_url("applications.detail", application_id=a.id))
                                 for a in applications])
    record_event(actor=actor, action="staff.round_message_sent", subject=round_, comment=text,
                 data={"subject": subject, "states": list(states), "applications": len(found.applications),
                       "recipients": len(found.people)})
    return found
