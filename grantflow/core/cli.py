"""Core commands: the RQ worker and ``grantflow jobs``."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .params import MAX_ID


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then exit.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run an RQ worker inside the app context (needs REDIS_URL)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: without it jobs run in-process and no worker "
                                   "is needed.")
    from redis import Redis
    from rq import Worker

    from .. import discovery
    from ..extensions import db

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    # RQ forks a process per job: a domain may load its heavy libraries once,
    # here in the parent, so that every job starts warm (``tasks.prepare_worker``).
    for tasks in discovery.import_modules("tasks"):
        if hasattr(tasks, "prepare_worker"):
            tasks.prepare_worker()
    db.engine.dispose()  # never share pooled connections with forked job processes
    if not burst:
        # no job stays stuck, without another process to remember (``dispatcher``)
        from .dispatcher import start_in_background

        start_in_background(current_app._get_current_object())
    Worker([current_app.config["RQ_QUEUE"]], connection=connection).work(burst=burst)


@click.group("jobs")
def jobs_group():
    """Background jobs: list them, retry failed ones, run the dispatcher once."""


def _job_line(job, now) -> str:
    from .jobs import is_stalled

    state = "stalled" if is_stalled(job, now) else job.status
    if job.status == "queued" and job.enqueued_at is None:
        state += " (not handed to a worker yet)"
    reason = (job.error or "").split("\n\n", 1)[0]
    return (f"{job.id:>7}  {state:<36} {job.task.rsplit('.', 1)[-1]:<22} attempts {job.attempts}  "
            f"created {job.created_at:%Y-%m-%d %H:%M}" + (f"  {reason}" if reason else ""))


@jobs_group.command("list")
@click.option("--stuck", is_flag=True, help="Only jobs whose worker died or that were never handed over.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@with_appcontext
def jobs_list(stuck: bool, limit: int) -> None:
    """The newest jobs (or only the stuck ones) with their state and reason."""
    from sqlalchemy import select

    from ..extensions import db
    from .db import utcnow
    from .dispatcher import stalled_jobs, waiting_jobs
    from .models import BackgroundJob

    now = utcnow()
    if stuck:
        rows = sorted({j.id: j for j in stalled_jobs(now) + waiting_jobs(now)}.values(), key=lambda j: j.id)[:limit]
    else:
        rows = db.session.scalars(select(BackgroundJob).order_by(BackgroundJob.id.desc()).limit(limit)).all()
    for job in rows:
        click.echo(_job_line(job, now))
    click.echo(f"{len(rows)} job{'s' if len(rows) != 1 else ''}{' stuck' if stuck else ''}.")


@jobs_group.command("retry")
@click.argument("job_id", type=click.IntRange(1, MAX_ID), required=False)
@click.option("--all-failed", is_flag=True, help="Retry every failed (or stalled) job.")
@with_appcontext
def jobs_retry(job_id: int | None, all_failed: bool) -> None:
    """Run JOB_ID again (it must have failed or stalled), or every failed job."""
    from sqlalchemy import select

    from ..extensions import db
    from . import jobs, outbox
    from .dispatcher import stalled_jobs
    from .models import BackgroundJob

    if (job_id is None) == (not all_failed):
        raise click.UsageError("Give a job id or --all-failed (not both).")
    if all_failed:
        targets = list(db.session.scalars(select(BackgroundJob).where(BackgroundJob.status == "failed")))
        targets += stalled_jobs()
    else:
        job = db.session.get(BackgroundJob, job_id)
        if job is None:
            raise click.ClickException(f"There is no job {job_id}.")
        if job.status != "failed" and not jobs.is_stalled(job):
            raise click.ClickException(f"Job {job_id} is {job.status}: only a failed or stalled job is retried.")
        targets = [job]
    ids = [job.id for job in targets]
    for job in targets:
        jobs.retry(job)
    outbox.commit()
    click.echo(f"{len(ids)} job{'s' if len(ids) != 1 else ''} queued again" + (f": {', '.join(map(str, ids))}." if ids else "."))


@jobs_group.command("sweep")
@with_appcontext
def jobs_sweep() -> None:
    """Run the dispatcher once (cron): hand over waiting jobs, retry or fail
    jobs whose worker died, remove files no row refers to."""
    from .. import discovery
    from .dispatcher import sweep

    discovery.import_modules("tasks")  # each domain registers where its files live
    click.echo(sweep().summary())


from .formdefs.cli import forms  # noqa: E402  (grantflow forms check)
from .workflow.cli import workflows_group  # noqa: E402  (grantflow workflows check|show)

commands = [worker, jobs_group, forms, workflows_group]
