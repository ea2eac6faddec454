"""``grantflow assign ROUND_ID [--dry-run] [--fair]``."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("assign")
@click.argument("round_id", type=int)
@click.option("--dry-run", is_flag=True, help="Show what would be assigned; change nothing.")
@click.option("--fair", is_flag=True,
              help="Lift the worst-matched application first, then maximise the total match (slower).")
@with_appcontext
def assign(round_id: int, dry_run: bool, fair: bool) -> None:
    """Assign reviewers to ROUND_ID's applications in review: k per application,
    within caps, never a conflicted pair, maximal total expertise match."""
    from ..core import outbox
    from ..extensions import db
    from ..funds.models import Round
    from .assigning import assign_reviewers

    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"There is no round {round_id}.")
    report = assign_reviewers(round_, None, dry_run=dry_run, fair=fair)
    click.echo(report.summary())
    for line in report.explanations:
        click.echo(f"- {line}")
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was saved.")
    else:
        outbox.commit()
    if not report.is_complete:
        raise SystemExit(2)


commands = [assign]
