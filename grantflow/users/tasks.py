"""Background jobs of the accounts domain: the emails whose timing must not
tell whether an address has an account (registration and password reset).
Their job rows carry no secret: the links are made here, from ids."""
from __future__ import annotations

from ..core.mail import send_email
from ..extensions import db
from . import operations, tokens
from .models import PendingRegistration


def send_registration_email(job, pending_id: int) -> dict:
    pending = db.session.get(PendingRegistration, pending_id)
    if pending is None:  # confirmed through an earlier link meanwhile
        return {}
    if operations.find_user_by_email(pending.email) is not None:
        send_email(pending.email, "account_exists", name=pending.name,
                   login_url=operations.absolute_url("users.login"),
                   forgot_url=operations.absolute_url("users.forgot_password"))
    else:
        send_email(pending.email, "confirm_registration", name=pending.name,
                   confirm_url=operations.absolute_url("users.confirm_registration",
                                                       token=tokens.make_registration_token(pending)),
                   valid_for=tokens.duration_text(tokens.REGISTRATION_MAX_AGE))
    return {}


def send_password_reset(job, email: str) -> dict:
    operations.request_password_reset(email)
    return {}
