"""``grantflow letters render|round`` and ``grantflow awards release-dated``."""
from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core import jobs, outbox
from ..extensions import db
from .models import LETTER_KINDS, Letter


def _fail_on_refusal(func, *args, **kwargs):
    from .operations import AwardError

    try:
        return func(*args, **kwargs)
    except AwardError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("letters")
def letters_group():
    """Generated letters (award, decline, waiting list, closeout)."""


@letters_group.command("render")
@click.argument("application_id", type=int)
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="Where to write the PDF.")
@click.option("--kind", type=click.Choice(LETTER_KINDS), default=None,
              help="Which letter (default: the one the application's decision calls for).")
@with_appcontext
def render_command(application_id: int, out: Path, kind: str | None) -> None:
    """Render one letter of APPLICATION_ID now (a new version, kept in the history; not sent)."""
    from ..applications.models import Application
    from .letters import decision_letter_kind, letter_file, request_letter

    application = db.session.get(Application, application_id)
    if application is None:
        raise click.ClickException(f"There is no application {application_id}.")
    kind = kind or decision_letter_kind(application) or "award"
    letter = _fail_on_refusal(request_letter, application, kind, None, dispatch=False)
    outbox.commit()
    jobs.execute(letter.job_id)  # here and now, worker or not: the command waits for the file
    db.session.expire_all()
    letter = db.session.get(Letter, letter.id)
    if letter.status != "ready":
        raise click.ClickException(f"The letter could not be rendered (recorded on job {letter.job_id}; retry it "
                                   f"from the application's letters page): {letter.error}")
    shutil.copyfile(letter_file(letter), out)
    click.echo(f"{out}: {letter.kind} letter v{letter.version} of {application.reference}, "
               f"{letter.size_bytes:,} bytes, sha256 {letter.sha256}")


@letters_group.command("round")
@click.argument("round_id", type=int)
@click.option("--send", is_flag=True, help="Send them once rendered: awarded applications get their offer.")
@with_appcontext
def round_command(round_id: int, send: bool) -> None:
    """Render the decision letter of every decided application of ROUND_ID.

    With REDIS_URL set the letters are queued for the RQ workers (``grantflow
    worker``) and this command follows their progress; otherwise it renders
    them itself, one after the other."""
    from ..funds.models import Round
    from .letters import batch_progress, start_round_letters

    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"There is no round {round_id}.")
    use_workers = bool(current_app.config.get("REDIS_URL"))
    batch = _fail_on_refusal(start_round_letters, round_, None, send=send, dispatch=use_workers)
    batch_id = batch.id
    job_ids = [letter.job_id for letter in batch.letters]
    outbox.commit()
    with click.progressbar(length=len(job_ids), label=f"Letters for {round_.name}") as bar:
        if use_workers:
            shown = 0
            while True:
                db.session.expire_all()
                progress = batch_progress(db.session.get(type(batch), batch_id))
                bar.update(progress["finished"] - shown)
                shown = progress["finished"]
                if progress["is_finished"]:
                    break
                time.sleep(0.5)
        else:
            for job_id in job_ids:
                jobs.execute(job_id)
                bar.update(1)
    db.session.expire_all()
    progress = batch_progress(db.session.get(type(batch), batch_id))
    click.echo(f"{progress['ready']} rendered, {progress['failed']} failed (batch {batch_id}).")
    if progress["failed"]:
        raise click.ClickException("Some letters failed: see the batch page to read the errors and retry them.")


@click.group("awards")
def awards_group():
    """Award payments."""


@awards_group.command("release-dated")
@click.option("--date", "on_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Release as of this date (default: today).")
@with_appcontext
def release_dated_command(on_date) -> None:
    """Make due the payments released on a date that has come (run daily from cron)."""
    from .operations import release_dated_tranches

    today = on_date.date() if on_date else date.today()
    released = release_dated_tranches(None, today=today)
    outbox.commit()
    click.echo(f"{len(released)} payment{'s' if len(released) != 1 else ''} now due.")


commands = [letters_group, awards_group]
