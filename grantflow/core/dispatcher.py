"""The dispatcher: no job stays stuck.

One ``sweep`` hands over the jobs that were never handed to a worker (Redis was
down at the commit), retries the jobs whose worker died (their lease ran out),
with back-off and a bounded number of attempts, then fails them with the reason,
and removes files that no committed row refers to. It runs inside every
``grantflow worker`` (a thread) and as ``grantflow jobs sweep`` (cron)."""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select

from ..extensions import db
from . import jobs, outbox, storage
from .db import utcnow
from .models import BackgroundJob

log = logging.getLogger(__name__)

#: a job committed this recently is still being handed over by its own request
HAND_OVER_GRACE = timedelta(seconds=10)
#: a file younger than this may belong to a transaction still in progress; the
#: worker's dispatcher also looks for orphan files only this often (listing a
#: bucket every few seconds would cost more than the files it finds)
ORPHAN_AGE = timedelta(hours=1)


@dataclass
class SweepReport:
    handed_over: list[int] = field(default_factory=list)
    not_handed_over: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    orphans_removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{len(self.handed_over)} handed over", f"{len(self.retried)} stalled jobs retried",
                 f"{len(self.failed)} given up", f"{len(self.orphans_removed)} orphan files removed"]
        if self.not_handed_over:
            parts.append(f"{len(self.not_handed_over)} still waiting for Redis")
        return ", ".join(parts) + "."


def stalled_jobs(now=None) -> list[BackgroundJob]:
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])
    return list(db.session.scalars(select(BackgroundJob).where(
        BackgroundJob.status == "running",
        or_(BackgroundJob.heartbeat_at < now - lease,
            BackgroundJob.heartbeat_at.is_(None) & (BackgroundJob.started_at < now - lease)))
        .order_by(BackgroundJob.id)))


def waiting_jobs(now=None, grace: timedelta = HAND_OVER_GRACE) -> list[BackgroundJob]:
    """Queued, never handed over (or due again after a back-off)."""
    now = now or utcnow()
    return list(db.session.scalars(select(BackgroundJob).where(
        BackgroundJob.status == "queued", BackgroundJob.enqueued_at.is_(None),
        BackgroundJob.created_at < now - grace,
        or_(BackgroundJob.retry_at.is_(None), BackgroundJob.retry_at <= now)).order_by(BackgroundJob.id)))


def _give_up_or_retry(job: BackgroundJob, report: SweepReport) -> None:
    seen = job.heartbeat_at or job.started_at
    why = (f"The worker running attempt {job.attempts} stopped responding"
           + (f" (last heard from at {seen:%H:%M:%S} UTC)" if seen else "") + ".")
    if job.attempts < current_app.config["JOB_MAX_ATTEMPTS"]:
        jobs.schedule_retry(job, why + " It is tried again automatically.")
        report.retried.append(job.id)
    else:
        job.status = "failed"
        job.error = (f"{why} Gave up after {job.attempts} attempts; use Retry once the cause (a worker "
                     "killed for memory, a database restart) is dealt with.")
        job.finished_at = utcnow()
        report.failed.append(job.id)


def sweep(now=None, grace: timedelta = HAND_OVER_GRACE, *, files: bool = True) -> SweepReport:
    """One pass; commits. Safe to run from several processes at once: a job
    handed over twice is claimed once (``jobs.execute``). ``grace``: how long a
    new job is left to the request that committed it to hand over itself.
    ``files``: also remove orphan files."""
    report = SweepReport()
    for job in stalled_jobs(now):
        _give_up_or_retry(job, report)
    outbox.commit()
    for job in waiting_jobs(now, grace):
        (report.handed_over if jobs.dispatch(job.id) else report.not_handed_over).append(job.id)
        if report.not_handed_over:
            break  # Redis is down: the rest wait for the next sweep
    db.session.expire_all()
    if files:
        report.orphans_removed = remove_orphan_files(now)
    return report


def remove_orphan_files(now=None) -> list[str]:
    """Stored files (uploads, letters, exports, on either storage backend) that
    no row refers to, old enough that no transaction writing them can still be
    open: a process killed between storing its file and committing its row
    leaves one. Each domain says which of its keys are referred to
    (``storage.REFERENCED_BY``)."""
    return [f"{name}/{stored.key}" for name in storage.AREAS
            for stored in storage.sweep(name, older_than=ORPHAN_AGE, now=now)]


def start_in_background(app) -> threading.Thread:
    """The worker's dispatcher: a sweep every ``JOB_SWEEP_SECONDS``. RQ forks a
    process per job; the forked one must not reuse this thread's connections."""
    engine = db.engine
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))

    def loop() -> None:
        files_swept_at = None
        while True:
            with app.app_context():
                try:
                    files = files_swept_at is None or time.monotonic() - files_swept_at >= ORPHAN_AGE.total_seconds()
                    report = sweep(files=files)
                    if files:
                        files_swept_at = time.monotonic()
                    if report.handed_over or report.retried or report.failed or report.orphans_removed:
                        log.info("dispatcher: %s", report.summary())
                except Exception:  # noqa: BLE001 - a database or Redis blip: try again next time
                    log.exception("dispatcher sweep failed")
                    db.session.rollback()
                finally:
                    db.session.remove()
            time.sleep(app.config["JOB_SWEEP_SECONDS"])

    thread = threading.Thread(target=loop, daemon=True, name="grantflow-dispatcher")
    thread.start()
    return thread
