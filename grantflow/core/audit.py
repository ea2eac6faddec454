"""One call to audit any event (Hypha's single notify-and-audit entry point)."""
from __future__ import annotations

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEvent


def client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def record_event(*, actor, action: str, subject=None, application=None, from_state=None, to_state=None,
                 comment: str | None = None, data: dict | None = None,
                 visible_to_applicant: bool = False) -> AuditEvent:
    """Append an audit row in the current transaction (never commits)."""
    if application is None and subject is not None and type(subject).__name__ == "Application":
        application = subject
    subject = subject if subject is not None else application
    entry = AuditEvent(
        actor_id=getattr(actor, "id", None),
        application=application,
        subject_type=type(subject).__name__ if subject is not None else "System",
        subject_id=getattr(subject, "id", None),
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment or None,
        data=data or {},
        ip_address=client_ip(),
        is_visible_to_applicant=visible_to_applicant,
    )
    db.session.add(entry)
    return entry
