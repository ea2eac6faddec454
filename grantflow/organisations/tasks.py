"""Background jobs of the organisations domain: the colleague invitation email,
sent from a job so that the page answers in the same time whoever owns the address."""
from __future__ import annotations

from flask import current_app

from ..core.mail import send_email
from ..extensions import db
from ..users.models import User
from ..users.operations import absolute_url, find_user_by_email
from ..users.tokens import duration_text
from .models import Organisation
from .operations import invitation_token


def send_colleague_invitation(job, organisation_id: int, inviter_id: int, name: str, email: str) -> dict:
    organisation = db.session.get(Organisation, organisation_id)
    inviter = db.session.get(User, inviter_id)
    existing = find_user_by_email(email)
    if organisation is None or (existing is not None and existing.organisation_id == organisation.id):
        return {}  # nothing to join: already a member
    token = invitation_token(organisation_id, email, name, inviter_id)
    send_email(email, "colleague_invitation", name=name, inviter=inviter, organisation=organisation,
               has_account=existing is not None, accept_url=absolute_url("organisations.join", token=token),
               valid_for=duration_text(current_app.config["INVITE_MAX_AGE"]))
    return {}
