"""``grantflow letters render|round`` and ``grantflow awards release-dated``."""
from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import InterfaceError, OperationalError

from ..core import jobs, outbox
from ..core.params import MAX_ID
from ..core.refusal import Refused
from ..extensions import db
from .models import Letter, LetterBatch


def _fail_on_refusal(func, *args, **kwargs):

    try:
        return func(*args, **kwargs)
    except Refused as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("letters")
def letters_group():
    """Generated letters (award, decline, waiting list, closeout)."""


@letters_group.command("render")
@click.argument("application_id", type=int)
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="Where to write the PDF.")
@click.option("--kind", default=None,
              help="Which letter: a folder the application's workflow names under letters: "
                   "(default: the one its decision calls for, else its award letter).")
@with_appcontext
def render_command(application_id: int, out: Path, kind: str | None) -> None:
    """Render one letter of APPLICATION_ID now (a new version, kept in the history; not sent)."""
    from ..applications.models import Application
    from .letters import award_letter_kind, decision_letter_kind, read_letter, request_letter

    application = db.session.get(Application, application_id)
    if application is None:
        raise click.ClickException(f"There is no application {application_id}.")
    kind = kind or decision_letter_kind(application) or award_letter_kind(application)
    if kind is None:
        raise click.ClickException(f"The workflow of {application.reference} sends no letters.")
    letter = _fail_on_refusal(request_letter, application, kind, None, dispatch=False)
    outbox.commit()
    jobs.execute(letter.job_id)  # here and now, worker or not: the command waits for the file
    db.session.expire_all()
    letter = db.session.get(Letter, letter.id)
    if letter.status != "ready":
        raise click.ClickException(f"The letter could not be rendered (recorded on job {letter.job_id}; retry it "
                                   f"from the application's letters page): {letter.error}")
    pdf = read_letter(letter)
    if pdf is None:
        raise click.ClickException(f"The letter's file {letter.file_path} is missing from the letter storage.")
    out.write_bytes(pdf)
    click.echo(f"{out}: {letter.kind} letter v{letter.version} of {application.reference}, "
               f"{letter.size_bytes:,} bytes, sha256 {letter.sha256}")


@letters_group.command("round")
@click.argument("round_id", type=click.IntRange(1, MAX_ID))
@click.option("--send", is_flag=True, help="Send them once rendered: awarded applications get their offer.")
@click.option("--wait", "wait_seconds", type=click.IntRange(0, None), default=900, show_default=True,
              help="With workers: seconds to follow the batch before leaving it to them.")
@with_appcontext
def round_command(round_id: int, send: bool, wait_seconds: int) -> None:
    """Render the decision letter of every decided application of ROUND_ID.

    With REDIS_URL set the letters are queued for the RQ workers (``grantflow
    worker``) and this command follows their progress, handing over what Redis
    could not take; otherwise it renders them itself, one after the other. A
    database or Redis blip does not stop it: it says at the end what it could
    not do."""
    from ..funds.models import Round
    from .letters import start_round_letters

    try:
        round_ = db.session.get(Round, round_id)
        if round_ is None:
            raise click.ClickException(f"There is no round {round_id}.")
        use_workers = bool(current_app.config.get("REDIS_URL"))
        batch = _fail_on_refusal(start_round_letters, round_, None, send=send, dispatch=use_workers)
        batch_id, round_name = batch.id, round_.name
        job_ids = [letter.job_id for letter in batch.letters]
        outbox.commit()
    except (OperationalError, InterfaceError) as exc:
        raise click.ClickException(f"The database is unreachable ({exc.orig or exc}); nothing was started. "
                                   "Run the command again once it is back.") from None
    problems: list[str] = []
    with click.progressbar(length=len(job_ids), label=f"Letters for {round_name}") as bar:
        if use_workers:
            _follow_workers(batch_id, bar, wait_seconds, problems)
        else:
            for job_id in job_ids:
                _run_here(job_id, problems)
                bar.update(1)
    _report(batch_id, problems)


def _blip(problems: list[str], what: str, exc: Exception) -> None:
    """Note what went wrong once (the command carries on)."""
    db.session.rollback()
    message = f"Could not reach {what} at times ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0]})."
    if message not in problems:
        problems.append(message)


def _run_here(job_id: int, problems: list[str]) -> None:
    for attempt in range(3):  # a database blip gets two more chances, a second apart
        try:
            jobs.execute(job_id)
            return
        except (OperationalError, InterfaceError) as exc:
            _blip(problems, f"the database while rendering (job {job_id}, try {attempt + 1} of 3)", exc)
            time.sleep(1)


def _follow_workers(batch_id: int, bar, wait_seconds: int, problems: list[str]) -> None:
    """Poll the batch until it is finished or ``wait_seconds`` pass; sweep as it
    goes, so jobs Redis could not take at the start are handed over when it is back."""
    from ..core.dispatcher import sweep
    from .letters import batch_progress

    deadline = time.monotonic() + wait_seconds
    shown, last_sweep = 0, 0.0
    while True:
        try:
            if time.monotonic() - last_sweep >= 5:
                swept = sweep(grace=timedelta(0), files=False)  # our own jobs were committed before
                last_sweep = time.monotonic()
                if swept.not_handed_over:
                    _blip(problems, "Redis", ConnectionError("letters waited to be handed to a worker"))
            db.session.expire_all()
            progress = batch_progress(db.session.get(LetterBatch, batch_id))
            bar.update(progress["finished"] - shown)
            shown = progress["finished"]
            if progress["is_finished"]:
                return
        except (OperationalError, InterfaceError) as exc:
            _blip(problems, "the database", exc)
        if time.monotonic() >= deadline:
            problems.append(f"Stopped following after {wait_seconds} s; the workers carry on with the rest.")
            return
        time.sleep(0.5)


def _report(batch_id: int, problems: list[str]) -> None:
    from .letters import batch_progress

    for problem in problems:
        click.echo(problem, err=True)
    try:
        db.session.expire_all()
        progress = batch_progress(db.session.get(LetterBatch, batch_id))
    except (OperationalError, InterfaceError) as exc:
        raise click.ClickException(f"The database is unreachable ({type(exc).__name__}): see the batch page "
                                   f"(batch {batch_id}) or `grantflow jobs list --stuck` once it is back.") from None
    click.echo(f"{progress['ready']} rendered, {progress['failed']} failed, {progress['pending']} not finished "
               f"(batch {batch_id}).")
    if progress["failed"] or progress["pending"]:
        raise click.ClickException("Some letters are not rendered: see the batch page to read the errors and "
                                   "retry them (or `grantflow jobs retry --all-failed`).")
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
