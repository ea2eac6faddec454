"""Workflow guards and effects of the awards domain (named in workflows/*.yaml)."""
from __future__ import annotations

from sqlalchemy import select

from ..core.db import utcnow
from ..core.workflow import effect, guard
from ..extensions import db
from .models import Award, Letter

#: the letter each decision move calls for
LETTER_FOR_DESTINATION = {"declined": "decline", "waitlisted": "waitlist", "closed": "closeout"}


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
    """The offer email links to the award letter and to the page where the
    applicant accepts. Marks the newest rendered award letter as sent when the
    offer was made by hand rather than by the letter job."""
    from .tasks import email_letter

    letter = db.session.scalar(select(Letter).where(
        Letter.application_id == application_id, Letter.kind == "award", Letter.sha256.is_not(None))
        .order_by(Letter.sent_at.is_(None), Letter.version.desc()).limit(1))
    if letter is None:
        return
    if letter.sent_at is None:
        letter.sent_at = utcnow()
    email_letter(letter)


def _request_letter_for(application_id: int, transition: dict) -> None:
    from ..applications.models import Application
    from .letters import request_letter

    kind = LETTER_FOR_DESTINATION.get(transition["dest"])
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
