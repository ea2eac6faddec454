"""``grantflow remind``: the daily report reminders, for cron."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from ..core import jobs, outbox
from .reminders import describe, send_due_reminders, today_utc


def _parse_day(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; use YYYY-MM-DD.") from None


@click.command("remind")
@click.option("--today", callback=_parse_day, metavar="YYYY-MM-DD",
              help="Act as if it were this day (UTC). Default: today.")
@click.option("--enqueue", is_flag=True,
              help="Queue the run as a background job (an RQ worker sends it) instead of sending now.")
@with_appcontext
def remind(today: date | None, enqueue: bool) -> None:
    """Send report reminders: 14 days before the due date, on it, and when
    overdue. Each goes out once, so running this twice a day is harmless.

    \b
    cron (daily at 07:00 UTC):  0 7 * * *  grantflow remind
    """
    if enqueue:
        job = jobs.enqueue("grantflow.reporting.tasks.send_reminders",
                           today=today.isoformat() if today else None)
        outbox.commit()
        click.echo(f"Queued reminder job {job.id}.")
        return
    counts = send_due_reminders(today or today_utc())
    outbox.commit()
    click.echo(describe(counts))


commands = [remind]
