"""Verbs on applicant organisations. They take the acting user and never commit."""
from __future__ import annotations

import re

from flask import current_app

from ..core.audit import record_event
from ..core.cache import portfolio_changed
from ..core.mail import send_email
from ..core.refusal import Refused
from ..extensions import db
from .models import Organisation

PROFILE_FIELDS = ("name", "applicant_type", "state", "population", "uei", "ein")


def _normalised(values: dict) -> dict:
    clean = {key: values.get(key) for key in PROFILE_FIELDS}
    clean["uei"] = clean["uei"] or None
    ein = re.sub(r"\D", "", clean["ein"] or "")
    clean["ein"] = f"{ein[:2]}-{ein[2:]}" if ein else None
    return clean


def create_organisation(actor, values: dict) -> Organisation:
    """The actor describes their government and becomes its first member."""
    if actor.organisation_id is not None:
        raise Refused("You already belong to an organisation.")
    organisation = Organisation(**_normalised(values))
    db.session.add(organisation)
    db.session.flush()
    actor.organisation = organisation
    record_event(actor=actor, action="organisation.created", subject=organisation,
                 data={"name": organisation.name, "applicant_type": organisation.applicant_type})
    return organisation


def update_organisation(actor, organisation: Organisation, values: dict) -> list[str]:
    """Change the profile; returns the fields that changed (audited)."""
    if actor.organisation_id != organisation.id:
        raise Refused("Only members of the organisation can change its profile.")
    changed = []
    for key, value in _normalised(values).items():
        if getattr(organisation, key) != value:
            setattr(organisation, key, value)
            changed.append(key)
    if changed:
        record_event(actor=actor, action="organisation.updated", subject=organisation, data={"fields": changed})
        portfolio_changed()  # its type and state group the figures
    return changed


def invite_colleague(actor, *, name: str, email: str):
    """Give a colleague an account in the actor's organisation and email them
    a link to choose a password (the accounts domain's invitation)."""
    from ..users import tokens
    from ..users.operations import absolute_url, find_user_by_email, normalise_email
    from ..users.models import User

    organisation = actor.organisation
    if organisation is None:
        raise Refused("Set up your organisation first.")
    existing = find_user_by_email(email)
    if existing is not None:
        if existing.organisation_id == organisation.id:
            raise Refused("This person is already a member of your organisation.", field="email")
        raise Refused("This email address already has an account. Ask the fund's staff to add "
                                "it to your organisation.", field="email")
    colleague = User(name=name.strip(), email=normalise_email(email), organisation=organisation)
    colleague.grant_role("applicant")
    db.session.add(colleague)
    db.session.flush()
    record_event(actor=actor, action="organisation.colleague_invited", subject=organisation,
                 data={"user_id": colleague.id, "email": colleague.email})
    send_email(colleague.email, "invitation", user=colleague, inviter=actor,
               role_names=[f"Applicant for {organisation.name}"],
               accept_url=absolute_url("users.accept_invitation", token=tokens.make_invite_token(colleague)),
               valid_for=tokens.duration_text(current_app.config["INVITE_MAX_AGE"]))
    return colleague
