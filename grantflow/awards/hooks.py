"""Workflow guards and effects of the awards domain (named in workflows/*.yaml)."""
from __future__ import annotations

from sqlalchemy import select

from ..core.workflow import effect, guard
from ..extensions import db
from .models import Award, Letter



@guard("award_terms_recorded")
def award_terms_recorded(application, context) -> str | None:
    if db.session.scalar(select(Award.id).where(Award.application_id == application.id)) is None:
        return "Record the award terms (amount, period, conditions and payments) first."
    return None


@guard("award_letter_ready")
def award_letter_ready(application, context) -> str | None:
    ready = db.session.scalar(select(Letter.id).where(
        Letter.application_id == application.id, Letter.kind == "award", Letter.sha256.is_not(None)).limit(1))
    if ready is None:
        return "The award letter has not been rendered yet: use “Send award letter”."
    return None


def _actor(transition: dict):
    from ..users.models import User

    actor_id = transition.get("actor_id")
    return db.session.get(User, actor_id) if actor_id else None


@effect("email_award_offer")
def email_award_offer(application_id: int, transition: dict) -> None:
    """An offer made by hand (the workflow's own page) sends the newest
    rendered award letter through the same route as the letter job
    (``tasks.deliver``); an offer the letter job made has already sent it."""
    from .tasks import deliver

    letter = db.session.scalar(select(Letter).where(
        Letter.application_id == application_id, Letter.kind == "award", Letter.sha256.is_not(None))
        .order_by(Letter.sent_at.is_(None), Letter.version.desc()).limit(1))
    if letter is not None and letter.sent_at is None:
        deliver(letter)


def _request_letter_for(application_id: int, transition: dict) -> None:
    from ..applications.models import Application
    from .letters import LETTER_FOR_STATE, request_letter

    kind = LETTER_FOR_STATE.get(transition["dest"])
    application = db.session.get(Application, application_id)
    if kind is None or application is None:
        return
    request_letter(application, kind, _actor(transition), send=True)


@effect("send_decision_letter")
def send_decision_letter(application_id: int, transition: dict) -> None:
    """On decline or waitlist: render the letter, then email the applicant a link to it."""
    _request_letter_for(application_id, transition)


@effect("send_closeout_letter")
def send_closeout_letter(application_id: int, transition: dict) -> None:
    """On close: render the closeout letter, then email the applicant a link to it."""
    _request_letter_for(application_id, transition)
