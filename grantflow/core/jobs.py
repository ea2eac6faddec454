"""Background jobs: RQ workers when REDIS_URL is set, in-process otherwise.

Both paths run the same function, ``execute(job_id)``, which claims the
``BackgroundJob`` row, calls the task with the ids it stored, and records
progress, the result or the error. The row is committed with the change that
needs it; handing it to Redis happens after the commit and may fail (Redis
down): the row then stays "queued" and the dispatcher (``core.dispatcher``)
hands it over later. A running job renews a lease (``heartbeat_at``); the
dispatcher retries a job whose worker died, a bounded number of times.
"""
from __future__ import annotations

import importlib
import logging
import threading
import traceback
from datetime import timedelta

from flask import current_app, has_app_context, has_request_context
from redis.exceptions import RedisError
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, OperationalError

from ..extensions import db
from . import outbox
from .db import utcnow
from .models import BackgroundJob

log = logging.getLogger(__name__)

#: failures that say nothing about the job itself: worth another try later
TRANSIENT = (OperationalError, RedisError, ConnectionError, TimeoutError)


class RetryLater(Exception):
    """Raised by a task whose work failed in a way worth trying again (a
    webhook's receiver answered 500): retried after the back-off like a
    transient failure, at most ``max_attempts`` tries (default
    ``JOB_MAX_ATTEMPTS``), then failed with ``str()`` as its reason. Whatever the
    task committed before raising (its own log of the attempt) stays."""

    def __init__(self, reason: str, *, max_attempts: int | None = None):
        super().__init__(reason)
        self.max_attempts = max_attempts


def enqueue(task: str, *, actor=None, after_response: bool = False, **kwargs) -> BackgroundJob:
    """Create the job row now; hand it to a worker once the transaction commits.

    ``task`` is the dotted path of a function taking ``job`` plus the keyword
    arguments (ids and plain values only). ``after_response``: without Redis,
    a job nobody waits for (a refit) runs once the response is sent, not before."""
    job = BackgroundJob(task=task, args=kwargs, created_by_id=getattr(actor, "id", None))
    db.session.add(job)
    db.session.flush()
    outbox.on_commit(_dispatch_after_response if after_response else dispatch, job.id)
    return job


def _dispatch_after_response(job_id: int) -> bool:
    if current_app.config.get("REDIS_URL") or not has_request_context():
        return dispatch(job_id)
    from .web import after_response

    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            execute(job_id)

    after_response(run)
    return True


def retry(job: BackgroundJob) -> None:
    """Run a failed (or stalled) job again, from a clean start."""
    job.status = "queued"
    job.error = None
    job.progress_done = 0
    job.enqueued_at = job.retry_at = job.heartbeat_at = None
    outbox.on_commit(dispatch, job.id)


def is_stalled(job: BackgroundJob, now=None) -> bool:
    """Running, but its worker has not renewed the lease in time: it died."""
    if job.status != "running":
        return False
    seen = job.heartbeat_at or job.started_at  # a claimed job always has both
    lease = timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])
    return seen is not None and seen < (now or utcnow()) - lease


def dispatch(job_id: int) -> bool:
    """Hand a committed job to Redis (or run it here without Redis). False
    when Redis did not take it: the row stays queued for the dispatcher."""
    if not current_app.config.get("REDIS_URL"):
        execute(job_id)
        return True
    try:
        get_queue().enqueue("grantflow.core.jobs.execute", job_id, job_timeout=3600)
    except (RedisError, OSError) as exc:
        log.warning("job %s stays queued: Redis is unreachable (%s)", job_id, exc)
        return False
    try:
        with db.engine.begin() as conn:
            conn.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(enqueued_at=utcnow()))
    except DBAPIError as exc:  # handed over all the same; the claim in execute() stops a second run
        log.warning("job %s handed over, but not marked so (%s)", job_id, exc)
    return True


def get_queue():
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=5, socket_timeout=10)
    return Queue(current_app.config["RQ_QUEUE"], connection=connection)


def _resolve(task: str):
    module_name, _, func_name = task.rpartition(".")
    return getattr(importlib.import_module(module_name), func_name)


def _claim(job_id: int) -> bool:
    """Take a queued job for this process; a job handed over twice runs once."""
    now = utcnow()
    claimed = db.session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job_id, BackgroundJob.status == "queued")
        .values(status="running", started_at=now, heartbeat_at=now, attempts=BackgroundJob.attempts + 1,
                retry_at=None)).rowcount
    outbox.commit()
    return bool(claimed)


class _Heartbeat(threading.Thread):
    """Renews a running job's lease from its own connection while the task works."""

    def __init__(self, app, job_id: int):
        super().__init__(daemon=True, name=f"job-{job_id}-heartbeat")
        self.app, self.job_id, self.stopped = app, job_id, threading.Event()
        self.interval = max(app.config["JOB_LEASE_SECONDS"] / 4, 0.5)

    def run(self) -> None:
        with self.app.app_context():
            while not self.stopped.wait(self.interval):
                try:
                    with db.engine.begin() as conn:
                        conn.execute(update(BackgroundJob).where(
                            BackgroundJob.id == self.job_id, BackgroundJob.status == "running")
                            .values(heartbeat_at=utcnow()))
                except DBAPIError as exc:  # a database blip: the next beat tries again
                    log.warning("job %s: heartbeat missed (%s)", self.job_id, exc)


def execute(job_id: int) -> None:
    """Run one job (the RQ entry point and the in-process path)."""
    if not has_app_context():
        from .. import create_app

        with create_app().app_context():
            return execute(job_id)
    if not _claim(job_id):
        log.info("job %s is not queued any more (already run or running): skipped", job_id)
        return None
    job = db.session.get(BackgroundJob, job_id)
    # SQLite (development) runs jobs in the request's own process: no lease to keep
    heartbeat = None if db.engine.dialect.name == "sqlite" else _Heartbeat(current_app._get_current_object(), job_id)
    if heartbeat:
        heartbeat.start()
    try:
        result = _resolve(job.task)(job, **job.args)
        job.status = "done"
        job.result = result if isinstance(result, dict) else {}
        job.progress_done = job.progress_total or job.progress_done
        job.finished_at = utcnow()
        job.error = None
        outbox.commit()
    except Exception as exc:  # recorded and retryable: a job never takes the app down
        db.session.rollback()
        _record_failure(job_id, exc)
    finally:
        if heartbeat:
            heartbeat.stopped.set()
            heartbeat.join(timeout=5)
    return None


def _record_failure(job_id: int, exc: Exception) -> None:
    """A transient failure (database or Redis unreachable) is retried after a
    back-off, up to ``JOB_MAX_ATTEMPTS``; any other failure, or the last try,
    fails the job with its reason. If even that cannot be written, the lease
    runs out and the dispatcher takes over."""
    job = db.session.get(BackgroundJob, job_id)
    asked = isinstance(exc, RetryLater)
    reason = str(exc) if asked else f"{type(exc).__name__}: {exc}"
    max_attempts = (asked and exc.max_attempts) or current_app.config["JOB_MAX_ATTEMPTS"]
    if (asked or isinstance(exc, TRANSIENT)) and job.attempts < max_attempts:
        schedule_retry(job, f"Attempt {job.attempts} failed ({reason}); it is tried again automatically.")
        log.warning("job %s (%s) failed, retried later: %s", job_id, job.task, reason)
    else:
        job.status = "failed"
        job.error = (f"Gave up after {job.attempts} attempts: {reason}" if asked
                     else f"{reason}\n\n{traceback.format_exc(limit=8)}")
        job.finished_at = utcnow()
        log.error("job %s (%s) failed: %s", job_id, job.task, reason)
    outbox.commit()


def schedule_retry(job: BackgroundJob, why: str) -> None:
    """Back to the queue, handed over again once the back-off has passed
    (``JOB_RETRY_SECONDS``, doubled at each attempt)."""
    delay = current_app.config["JOB_RETRY_SECONDS"] * 2 ** max(job.attempts - 1, 0)
    job.status = "queued"
    job.error = why
    job.enqueued_at = job.heartbeat_at = None
    job.retry_at = utcnow() + timedelta(seconds=delay)


def report_progress(job: BackgroundJob, done: int, total: int | None = None) -> None:
    """Tasks call this as they go; committed so the UI sees it mid-job."""
    job.progress_done = done
    if total is not None:
        job.progress_total = total
    job.heartbeat_at = utcnow()
    outbox.commit()
