"""Workflow guards and the letter sender of the awards domain (named in workflows/*.yaml)."""
from __future__ import annotations

from sqlalchemy import select

from ..core.workflow import guard, letter_sender
from ..core.workflow.engine import definition_for
from ..extensions import db
from .models import Award, Letter


@guard("award_terms_recorded")
def award_terms_recorded(application, context) -> str | None:
    if db.session.scalar(select(Award.id).where(Award.application_id == application.id)) is None:
        return "Record the award terms (amount, period, conditions and payments) first."
    return None


@guard("award_letter_ready")
def award_letter_ready(application, context) -> str | None:
    """The letter this move sends is rendered (the offer goes out with it)."""
    definition = definition_for(application)
    transition = definition.transition(application.state, context["trigger"])
    kind = definition.letter_of(transition) if transition else None
    if kind is None:
        return "The workflow names no letter for this step, so it cannot wait for one."
    ready = db.session.scalar(select(Letter.id).where(
        Letter.application_id == application.id, Letter.kind == kind, Letter.sha256.is_not(None)).limit(1))
    if ready is None:
        return "The award letter has not been rendered yet: use “Send award letter”."
    return None


def _actor(transition: dict):
    from ..users.models import User

    actor_id = transition.get("actor_id")
    return db.session.get(User, actor_id) if actor_id else None


@letter_sender
def send_letter(application_id: int, transition: dict, kind: str) -> None:
    """A letter effect. A move that waited for its letter (the offer, guarded by
    ``award_letter_ready``) sends the newest rendered version through
    ``tasks.deliver`` unless the letter job, which made the move, already did;
    any other move has its letter rendered, then emailed, by a job."""
    from ..applications.models import Application
    from .letters import request_letter
    from .tasks import deliver

    application = db.session.get(Application, application_id)
    if application is None:
        return
    moved = definition_for(application).transition(transition["source"], transition["trigger"])
    if moved is not None and "award_letter_ready" in moved.guards:
        letter = db.session.scalar(select(Letter).where(
            Letter.application_id == application_id, Letter.kind == kind, Letter.sha256.is_not(None))
            .order_by(Letter.sent_at.is_(None), Letter.version.desc()).limit(1))
        if letter is not None and letter.sent_at is None:
            deliver(letter)
        return
    request_letter(application, kind, _actor(transition), send=True)
