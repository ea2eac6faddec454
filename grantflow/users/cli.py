"""``grantflow users``: accounts from the command line, above all the first
administrator of a new installation (nobody is there yet to invite them)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..core import outbox
from ..core.refusal import Refused
from ..extensions import db
from . import operations, tokens
from .models import ROLE_LABELS, User


@click.group("users")
def users() -> None:
    """Invite, list, deactivate and reactivate accounts."""


@users.command("invite")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--role", "roles", type=click.Choice(operations.INVITABLE_ROLES), multiple=True,
              default=("admin",), show_default=True, help="Repeat for several roles.")
@with_appcontext
def invite(email: str, name: str, roles: tuple[str, ...]) -> None:
    """Invite EMAIL (the same as an administrator's invitation in the UI) and
    print the link to choose a password, for when no mail server is set up yet."""
    try:
        user, added = operations.invite_user(None, name=name, email=email, roles=list(roles))
    except Refused as exc:
        raise click.ClickException(str(exc)) from None
    link = (operations.absolute_url("users.accept_invitation", token=tokens.make_invite_token(user))
            if user.is_invitation_pending else None)
    outbox.commit()
    if link:
        click.echo(f"Invited {user.email} as {', '.join(ROLE_LABELS[r] for r in roles)}. "
                   f"The link (also emailed) works for "
                   f"{tokens.duration_text(current_app.config['INVITE_MAX_AGE'])}:\n{link}")
    elif added:
        click.echo(f"{user.email} already had an account: added {', '.join(ROLE_LABELS[r] for r in added)}.")
    else:
        click.echo(f"{user.email} already has those roles; nothing changed.")


@users.command("list")
@with_appcontext
def list_users() -> None:
    """Every account with its roles and status."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        status = ("deactivated" if not user.is_active_account
                  else "invitation pending" if user.is_invitation_pending else "active")
        click.echo(f"{user.email}\t{user.name}\t{', '.join(sorted(user.roles))}\t{status}")


def _set_active(email: str, active: bool) -> None:
    user = operations.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with the email address {email}.")
    if operations.set_account_active(None, user, active):
        outbox.commit()
        click.echo(f"{user.email} is {'reactivated' if active else 'deactivated'}.")
    else:
        click.echo(f"{user.email} is already {'active' if active else 'deactivated'}.")


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate(email: str) -> None:
    """Stop EMAIL from signing in (signed out at their next request)."""
    _set_active(email, False)


@users.command("reactivate")
@click.argument("email")
@with_appcontext
def reactivate(email: str) -> None:
    """Let a deactivated EMAIL sign in again."""
    _set_active(email, True)


commands = [users]
