"""Background jobs: RQ workers when REDIS_URL is set, in-process otherwise.

Both paths run the same function, ``execute(job_id)``, which loads the
``BackgroundJob`` row, calls the task with the ids it stored, and records
progress, the result or the error. Jobs are enqueued only after the
transaction that created their row commits, so a fast worker never misses it.
"""
from __future__ import annotations

import importlib
import logging
import traceback

from flask import current_app, has_app_context

from ..extensions import db
from . import outbox
from .db import utcnow
from .models import BackgroundJob

log = logging.getLogger(__name__)


def enqueue(task: str, *, actor=None, **kwargs) -> BackgroundJob:
    """Create the job row now; hand it to a worker once the transaction commits.

    ``task`` is the dotted path of a function taking ``job`` plus the keyword
    arguments (ids and plain values only)."""
    job = BackgroundJob(task=task, args=kwargs, created_by_id=getattr(actor, "id", None))
    db.session.add(job)
    db.session.flush()
    outbox.on_commit(_dispatch, job.id)
    return job


def retry(job: BackgroundJob) -> None:
    job.status = "queued"
    job.error = None
    job.progress_done = 0
    outbox.on_commit(_dispatch, job.id)


def _dispatch(job_id: int) -> None:
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        queue = get_queue()
        queue.enqueue("grantflow.core.jobs.execute", job_id, job_timeout=3600)
    else:
        execute(job_id)


def get_queue():
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    return Queue(current_app.config["RQ_QUEUE"], connection=connection)


def _resolve(task: str):
    module_name, _, func_name = task.rpartition(".")
    return getattr(importlib.import_module(module_name), func_name)


def execute(job_id: int) -> None:
    """Run one job (the RQ entry point and the in-process path)."""
    if not has_app_context():
        from .. import create_app

        with create_app().app_context():
            return execute(job_id)
    job = db.session.get(BackgroundJob, job_id)
    if job is None:
        log.warning("job %s vanished before it ran", job_id)
        return None
    job.status = "running"
    job.started_at = utcnow()
    job.attempts += 1
    outbox.commit()
    try:
        result = _resolve(job.task)(job, **job.args)
    except Exception as exc:  # recorded and retryable: a job never takes the app down
        db.session.rollback()
        job = db.session.get(BackgroundJob, job_id)
        job.status = "failed"
        job.error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"
        job.finished_at = utcnow()
        outbox.commit()
        log.exception("job %s (%s) failed", job_id, job.task)
        return None
    job.status = "done"
    job.result = result if isinstance(result, dict) else {}
    job.progress_done = job.progress_total or job.progress_done
    job.finished_at = utcnow()
    outbox.commit()
    return None


def report_progress(job: BackgroundJob, done: int, total: int | None = None) -> None:
    """Tasks call this as they go; committed so the UI sees it mid-job."""
    job.progress_done = done
    if total is not None:
        job.progress_total = total
    outbox.commit()
