"""``grantflow mentors propose --admin EMAIL [--approve]``: the administrators'
"Propose matches" button from the command line (a nightly job can run it)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("mentors")
def mentors() -> None:
    """The mentor network."""


@mentors.command("propose")
@click.option("--admin", "admin_email", required=True, help="The administrator the proposals are made by (audited).")
@click.option("--approve", is_flag=True, help="Approve every proposal at once (both parties are then asked).")
@with_appcontext
def propose(admin_email: str, approve: bool) -> None:
    """Propose a mentor for every waiting request (the same optimal assignment as the page)."""
    from sqlalchemy import func, select

    from ..core import outbox
    from ..core.refusal import Refused
    from ..extensions import db
    from ..users.models import User
    from . import proposals

    admin = db.session.scalar(select(User).where(func.lower(User.email) == admin_email.strip().lower()))
    if admin is None:
        raise click.ClickException(f"There is no account {admin_email}.")
    try:
        made = proposals.propose_matches(admin)
        for match in made if approve else []:
            proposals.approve_match(match, admin)
    except Refused as exc:
        raise click.ClickException(str(exc)) from None
    outbox.commit()
    for match in made:
        click.echo(f"{match.mentor.name} -> {match.mentee.name} ({match.request.organisation.name}): fit "
                   f"{match.score}, {match.status}")
    click.echo(f"{len(made)} match{'' if len(made) == 1 else 'es'} proposed.")


commands = [mentors]
