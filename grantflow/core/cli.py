"""Core commands: the RQ worker."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


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
    Worker([current_app.config["RQ_QUEUE"]], connection=connection).work(burst=burst)


from .formdefs.cli import forms  # noqa: E402  (grantflow forms check)

commands = [worker, forms]
