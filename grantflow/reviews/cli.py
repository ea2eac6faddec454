"""``grantflow assign ROUND_ID [--dry-run] [--fair] [--time-limit S] [--allow-partial]``.

Only what reading, solving and writing a round needs is imported, and only
when the command runs: ``grantflow`` itself loads every command's module."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("assign")
@click.argument("round_id", type=int)
@click.option("--dry-run", is_flag=True, help="Show what would be assigned; change nothing.")
@click.option("--fair", is_flag=True,
              help="Raise the worst-matched application's total match first, then the total (slower).")
@click.option("--time-limit", type=click.FloatRange(min=0), default=None,
              help="Seconds fair mode may spend proving its result optimal (default 60); it reports the gap left.")
@click.option("--allow-partial", is_flag=True,
              help="Save the assignment even if some places stay empty (otherwise it is only shown).")
@with_appcontext
def assign(round_id: int, dry_run: bool, fair: bool, time_limit: float, allow_partial: bool) -> None:
    """Assign reviewers to ROUND_ID's applications in review: k per application,
    within caps, never a conflicted pair, maximal total expertise match."""
    from ..core import outbox
    from ..extensions import db
    from ..funds.models import Round
    from .assigning import assign_reviewers

    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"There is no round {round_id}.")
    limit = {} if time_limit is None else {"time_limit": time_limit}  # the solver's own default otherwise
    report = assign_reviewers(round_, None, dry_run=dry_run, fair=fair, allow_partial=allow_partial, **limit)
    click.echo(report.summary())
    for line in report.explanations:
        click.echo(f"- {line}")
    if dry_run or report.held:
        db.session.rollback()
        empty = report.places_needed - report.assigned
        click.echo("Dry run: nothing was saved." if dry_run else
                   f"Nothing was saved: {empty:,} place{'s' if empty != 1 else ''} would stay empty. "
                   "Fix the cause above, or run again with --allow-partial to save these assignments.")
    else:
        outbox.commit()
    if not report.is_complete and not (allow_partial and not dry_run):
        raise SystemExit(2)


commands = [assign]
