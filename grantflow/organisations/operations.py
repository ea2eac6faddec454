"""Verbs on applicant organisations. They take the acting user and never commit."""
from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, select

from ..core.audit import record_event
from ..core.cache import portfolio_changed
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


def _refuse_duplicates(clean: dict, *, except_id: int | None = None, name_confirmed: bool = False) -> None:
    """A government registers once: the same EIN or UEI is refused, the same
    name in the same state only once the applicant says it is another one."""
    others = select(Organisation).where(Organisation.id != except_id) if except_id else select(Organisation)
    for key, label in (("ein", "EIN"), ("uei", "UEI")):
        if clean[key]:
            other = db.session.scalar(others.where(getattr(Organisation, key) == clean[key]).limit(1))
            if other is not None:
                raise Refused(
                    f"“{other.name}” ({other.state_name}) is already registered with this {label}. Ask a "
                    "colleague there to invite you to it, or check the number.", key)
    if not name_confirmed:
        other = db.session.scalar(others.where(func.lower(Organisation.name) == clean["name"].strip().lower(),
                                               Organisation.state == clean["state"]).limit(1))
        if other is not None:
            raise Refused(
                f"“{other.name}” in {other.state_name} is already registered. Ask a colleague there to invite "
                "you to it; if yours is a different government, tick the box below and save again.", "name")


def create_organisation(actor, values: dict, *, name_confirmed: bool = False) -> Organisation:
    """The actor describes their government and becomes its first member."""
    if actor.organisation_id is not None:
        raise Refused("You already belong to an organization.")
    clean = _normalised(values)
    _refuse_duplicates(clean, name_confirmed=name_confirmed)
    organisation = Organisation(**clean)
    db.session.add(organisation)
    db.session.flush()
    actor.organisation = organisation
    record_event(actor=actor, action="organisation.created", subject=organisation,
                 data={"name": organisation.name, "applicant_type": organisation.applicant_type})
    return organisation


def update_organisation(actor, organisation: Organisation, values: dict, *, name_confirmed: bool = False
                        ) -> list[str]:
    """Change the profile; returns the fields that changed (audited)."""
    if actor.organisation_id != organisation.id:
        raise Refused("Only members of the organization can change its profile.")
    clean = _normalised(values)
    renamed = (clean["name"], clean["state"]) != (organisation.name, organisation.state)
    _refuse_duplicates(clean, except_id=organisation.id, name_confirmed=name_confirmed or not renamed)
    changed = []
    for key, value in clean.items():
        if getattr(organisation, key) != value:
            setattr(organisation, key, value)
            changed.append(key)
    if changed:
        record_event(actor=actor, action="organisation.updated", subject=organisation, data={"fields": changed})
        portfolio_changed()  # its type and state group the figures
    return changed


INVITATION_SALT = "grantflow.organisations.invitation"


def _invitations():
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)


def invite_colleague(actor, *, name: str, email: str) -> None:
    """Invite a colleague to the actor's organisation. Nothing is created for
    the address: the invitation is a signed link in an email, which its owner
    accepts (with a new account or the one they have) or ignores; registering
    normally never joins them to an organisation. The page answers the same
    whoever owns the address; the email (a job) tells the truth."""
    from ..core import jobs
    from ..users.names import name_problem
    from ..users.operations import checked_email

    organisation = actor.organisation
    if organisation is None:
        raise Refused("Set up your organization first.")
    if problem := name_problem(name):
        raise Refused(problem, field="name")
    email = checked_email(email)  # refused next to the email field
    record_event(actor=actor, action="organisation.colleague_invited", subject=organisation,
                 data={"email": email})
    jobs.enqueue("grantflow.organisations.tasks.send_colleague_invitation", actor=actor,
                 organisation_id=organisation.id, inviter_id=actor.id, name=name.strip(), email=email)


def invitation_token(organisation_id: int, email: str, name: str, inviter_id: int) -> str:
    return _invitations().dumps({"organisation_id": organisation_id, "email": email, "name": name,
                                 "inviter_id": inviter_id})


def load_invitation(token: str) -> dict:
    """The invitation a link names: organisation, email, name. Raises
    Refused with a reason fit for the page."""
    from itsdangerous import BadSignature, SignatureExpired

    from ..users.tokens import duration_text

    max_age = current_app.config["INVITE_MAX_AGE"]
    try:
        payload = _invitations().loads(token, max_age=max_age)
    except SignatureExpired:
        raise Refused(f"This invitation has expired: invitations work for {duration_text(max_age)}. "
                                "Ask your colleague to invite you again.") from None
    except BadSignature:
        raise Refused("This link is not valid. Check that you copied the whole link from the "
                                "email.") from None
    organisation = db.session.get(Organisation, payload.get("organisation_id"))
    if organisation is None:
        raise Refused("This organization no longer exists.")
    return {**payload, "organisation": organisation}


def join_with_new_account(invitation: dict, *, name: str, password: str):
    """Create the invited person's account, in the organisation."""
    from ..users.models import User
    from ..users.operations import find_user_by_email

    if find_user_by_email(invitation["email"]) is not None:
        raise Refused("This address has an account now: sign in to accept the invitation.")
    user = User(name=name.strip(), email=invitation["email"], organisation=invitation["organisation"])
    user.set_password(password)
    user.grant_role("applicant")
    db.session.add(user)
    db.session.flush()
    record_event(actor=user, action="organisation.joined", subject=invitation["organisation"],
                 data={"user_id": user.id, "new_account": True})
    return user


def join(invitation: dict, user) -> None:
    """The signed-in owner of the invited address joins the organisation."""
    organisation = invitation["organisation"]
    if user.email != invitation["email"]:
        raise Refused(f"This invitation is for {invitation['email']}. Sign out, then sign in "
                                "with that address to accept it.")
    if user.organisation_id == organisation.id:
        raise Refused(f"You are already a member of {organisation.name}.")
    if user.organisation_id is not None:
        raise Refused(f"You are a member of {user.organisation.name}. An account belongs to one "
                                "organization: ask the fund's staff if you need to move.")
    user.organisation = organisation
    if not user.has_role("applicant"):
        user.grant_role("applicant")
    db.session.flush()
    record_event(actor=user, action="organisation.joined", subject=organisation, data={"user_id": user.id})
