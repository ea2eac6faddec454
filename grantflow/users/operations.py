"""Verbs on accounts. They take the acting user explicitly and never commit;
emails are queued in the same transaction and go nowhere if it rolls back."""
from __future__ import annotations

from functools import cache

from flask import current_app, has_request_context, url_for
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core import jobs
from ..core.audit import record_event
from ..core.db import utcnow
from ..core.mail import send_email
from ..core.refusal import Refused
from ..extensions import db
from . import tokens
from .models import PASSWORD_METHOD, ROLE_LABELS, PendingRegistration, User, UserRole
from .names import name_problem
from .zones import ZONE_NAMES

#: roles an administrator can give by invitation (applicants register themselves)
INVITABLE_ROLES = ("reviewer", "admin")


def checked_email(email: str) -> str:
    """The address, normalised, or a refusal fit for the email field (the
    command line reaches the operations without a web form's validation)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise Refused(f"Enter a valid email address ({exc}).", field="email") from None
    return normalise_email(email)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def active_admins() -> list[User]:
    """The fund's administrators who can sign in: whom the fund's notices go to."""
    return db.session.scalars(select(User).join(UserRole).where(UserRole.role == "admin",
                                                                User.is_active_account.is_(True))).all()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email: GRANTFLOW_BASE_URL plus the route's path, so links
    are right behind a proxy and when built outside a request (CLI, jobs)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


def request_registration(*, name: str, email: str, password: str, job_title: str | None = None) -> None:
    """Keep the registration and email its address, whoever owns it: a new
    address gets a link that creates the account, an address with an account
    is told so (with a way to reset the password). The page answers the same
    either way and takes as long (the lookup and the email are a job), so it
    tells nobody which addresses have accounts."""
    pending = PendingRegistration(name=name.strip(), email=normalise_email(email),
                                  job_title=(job_title or "").strip() or None, created_at=utcnow(),
                                  password_hash=generate_password_hash(password, method=PASSWORD_METHOD))
    db.session.add(pending)
    db.session.flush()
    jobs.enqueue("grantflow.users.tasks.send_registration_email", pending_id=pending.id)


def confirm_registration(token: str) -> User:
    """Create the account a confirmation link names (its owner read the email)."""
    pending = tokens.load_registration_token(token)
    if find_user_by_email(pending.email):
        raise tokens.TokenInvalid("This address already has an account. Sign in, or reset your password if "
                                  "you forgot it.")
    user = User(name=pending.name, email=pending.email, job_title=pending.job_title,
                password_hash=pending.password_hash)
    user.grant_role("applicant")
    db.session.add(user)
    # every waiting registration of the address goes: each link works once
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.email == pending.email))
    db.session.flush()
    record_event(actor=user, action="user.registered", subject=user)
    return user


@cache
def _unknown_user_hash() -> str:
    return generate_password_hash("no account has this password")


DEACTIVATED_MESSAGE = ("This account has been deactivated, so it cannot sign in. If you think this is "
                       "a mistake, contact the fund's administrators.")


def authenticate(email: str, password: str) -> User | None:
    """The user if the email and password match an active account, else None.

    A deactivated account is told so (Refused), but only after the right
    password: a wrong guess learns nothing about which accounts exist."""
    user = find_user_by_email(email)
    if user is None or user.password_hash is None:
        # hash anyway, so an unknown address takes as long as a wrong password
        check_password_hash(_unknown_user_hash(), password)
        return None
    if not user.check_password(password):
        return None
    if not user.is_active_account:
        raise Refused(DEACTIVATED_MESSAGE, field="email")
    if user.needs_rehash:
        user.set_password(password, end_sessions=False)
    user.last_login_at = utcnow()
    return user


# --- password reset ---------------------------------------------------------

def queue_password_reset(email: str) -> None:
    """The reset form's part: the lookup and the email happen in a job, so the
    answer takes as long for an address with an account as for one without."""
    jobs.enqueue("grantflow.users.tasks.send_password_reset", email=normalise_email(email))


def request_password_reset(email: str) -> None:
    """Email a reset link if the address belongs to an active account. The
    caller answers the same either way, so the form reveals no accounts."""
    user = find_user_by_email(email)
    if user is None or not user.is_active_account:
        return
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    send_email(user.email, "password_reset", user=user,
               reset_url=absolute_url("users.reset_password", token=tokens.make_reset_token(user)),
               valid_for=tokens.duration_text(max_age))
    record_event(actor=None, action="user.password_reset_requested", subject=user)


def reset_password(token: str, password: str) -> User:
    """Set a new password from an emailed link; the link stops working at once."""
    user = tokens.load_reset_token(token)
    user.set_password(password)
    record_event(actor=user, action="user.password_reset", subject=user)
    send_email(user.email, "password_changed", user=user,
               forgot_url=absolute_url("users.forgot_password"))
    return user


# --- invitations --------------------------------------------------------------

def invite_user(actor: User | None, *, name: str, email: str, roles: list[str]) -> tuple[User, list[str]]:
    """Invite someone as reviewer and/or administrator (``actor`` is None from
    the command line, which is how a new installation gets its first admin).

    A new address gets an account without a password and an emailed link to
    choose one. An existing account gets the roles it lacks instead (and, if it
    never accepted its first invitation, a fresh link). Returns the user and the
    roles actually added."""
    roles = [role for role in INVITABLE_ROLES if role in set(roles)]
    if not roles:
        raise Refused("Choose at least one role.", field="roles")
    problem = name_problem(name)
    if problem:
        raise Refused(problem, field="name")
    email = checked_email(email)
    user = find_user_by_email(email)
    created = user is None
    if created:
        user = User(name=name.strip(), email=normalise_email(email))
        db.session.add(user)
    elif not user.is_active_account:
        raise Refused("This account is deactivated. Reactivate it from the list of users first.",
                           field="email")
    added = [role for role in roles if not user.has_role(role)]
    for role in added:
        user.grant_role(role)
    db.session.flush()
    role_names = [ROLE_LABELS[role] for role in roles]
    if created or user.is_invitation_pending:
        record_event(actor=actor, action="user.invited", subject=user, data={"roles": roles})
        send_email(user.email, "invitation", user=user, inviter=actor, role_names=role_names,
                   accept_url=absolute_url("users.accept_invitation", token=tokens.make_invite_token(user)),
                   valid_for=tokens.duration_text(current_app.config["INVITE_MAX_AGE"]))
    elif added:
        record_event(actor=actor, action="user.roles_granted", subject=user, data={"roles": added})
        send_email(user.email, "roles_added", user=user, inviter=actor,
                   role_names=[ROLE_LABELS[role] for role in added],
                   login_url=absolute_url("users.login"))
    return user, added


def accept_invitation(token: str, password: str) -> User:
    user = tokens.load_invite_token(token)
    user.set_password(password)
    record_event(actor=user, action="user.invitation_accepted", subject=user)
    return user


# --- activation -----------------------------------------------------------------

def set_account_active(actor: User | None, user: User, active: bool) -> bool:
    """Deactivate or reactivate an account; returns whether anything changed.
    A deactivated user is signed out everywhere at their next request.
    ``actor`` is None from the command line."""
    if actor is not None and user.id == actor.id and not active:
        raise Refused("You cannot deactivate your own account. Ask another administrator.")
    if user.is_active_account == active:
        return False
    user.is_active_account = active
    if not active:
        user.end_all_sessions()
    record_event(actor=actor, action="user.reactivated" if active else "user.deactivated", subject=user)
    return True


# --- the person's own account -------------------------------------------------

def update_account(actor: User, *, name: str, job_title: str | None, timezone: str | None) -> list[str]:
    """A person changes their own name, job title and time zone; returns the fields changed."""
    if timezone and timezone not in ZONE_NAMES:
        raise Refused("Choose a time zone from the list.", field="timezone")
    new = {"name": name.strip(), "job_title": (job_title or "").strip() or None, "timezone": timezone or None}
    changed = [key for key, value in new.items() if getattr(actor, key) != value]
    for key in changed:
        setattr(actor, key, new[key])
    if changed:
        record_event(actor=actor, action="user.account_updated", subject=actor, data={"fields": changed})
    return changed
