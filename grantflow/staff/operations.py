"""Staff verbs on many applications at once."""
from __future__ import annotations

from dataclasses import dataclass

from ..core.workflow import ConcurrentChange, TransitionRefused, fire, may
from ..core.workflow.engine import definition_for
from ..extensions import db


@dataclass(frozen=True)
class BulkResult:
    application: object
    is_done: bool
    message: str


def bulk_fire(applications, trigger: str, actor, *, comment: str | None = None) -> list[BulkResult]:
    """Fire ``trigger`` on each application, each move in its own SAVEPOINT:
    a refused or conflicting application is reported and rolled back alone,
    the others' moves (and their audit rows and effects) stay. Flushes, never
    commits (the request does)."""
    results = []
    for application in applications:
        decision = may(application, trigger, actor, comment=comment, check_comment=True)
        if not decision:
            results.append(BulkResult(application, False, decision.reason))
            continue
        try:
            with db.session.begin_nested():
                fire(application, trigger, actor, comment=comment)
        except (TransitionRefused, ConcurrentChange) as exc:
            results.append(BulkResult(application, False, str(exc)))
            continue
        label = definition_for(application).state(application.state).label
        results.append(BulkResult(application, True, f"Moved to “{label}”."))
    return results


STAFF_NOTE = "application.staff_note"
NOTE_MAX = 4000


def add_staff_note(application, actor, text: str):
    """An internal note on an application: an audit row kept from the applicant
    (and from reviewers, who never read the audit log)."""
    from ..core.audit import record_event
    from ..core.refusal import Refused

    if not actor.has_role("admin"):
        raise Refused("Only fund staff can write internal notes.")
    text = (text or "").strip()
    if not text:
        raise Refused("Write the note first.", field="text")
    if len(text) > NOTE_MAX:
        raise Refused(f"Keep the note under {NOTE_MAX:,} characters (it has {len(text):,}).", field="text")
    return record_event(actor=actor, action=STAFF_NOTE, application=application, comment=text,
                        visible_to_applicant=False)


def staff_notes(application) -> list:
    from sqlalchemy import select

    from ..core.models import AuditEvent

    return db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == application.id,
                                                       AuditEvent.action == STAFF_NOTE)
                              .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())).all()
