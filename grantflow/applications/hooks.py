"""Workflow roles, guards and effects owned by the applications domain."""
from __future__ import annotations

from ..core.db import utcnow
from ..core.mail import send_email
from ..core.workflow import effect, guard, role_resolver
from ..core.workflow.engine import definition_for
from ..extensions import db


@role_resolver("applicant")
def is_applicant_member(application, user) -> bool:
    """Staff of the applying government: the applicant role and the same organisation."""
    return (user is not None and user.has_role("applicant")
            and user.organisation_id is not None and user.organisation_id == application.organisation_id)


@role_resolver("admin")
def is_admin(application, user) -> bool:
    return user is not None and user.has_role("admin")


@guard("round_open")
def round_open(application, context) -> str | None:
    round_ = application.round
    now = utcnow()
    if now < round_.opens_at:
        return f"The round opens on {round_.opens_at:%B %-d, %Y}; submissions are not accepted yet."
    if now >= round_.closes_at:
        return (f"The round closed on {round_.closes_at:%B %-d, %Y at %H:%M} UTC; late submissions "
                "are not accepted. Your draft is kept.")
    return None


@guard("answers_complete")
def answers_complete(application, context) -> str | None:
    from .completeness import missing_answers

    missing = missing_answers(application)
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        return f"Some required answers are missing: {shown}."
    return None


@effect("notify_applicant")
def notify_applicant(application_id: int, transition: dict) -> None:
    """Tell the applicant organisation's staff where their application now stands."""
    from .models import Application

    application = db.session.get(Application, application_id)
    state = definition_for(application).state(transition["dest"])
    for member in application.organisation.members:
        if member.is_active:
            send_email(member.email, "status_changed", user=member, application=application,
                       state_label=state.applicant_label, comment=transition.get("comment"))
