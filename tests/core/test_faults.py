"""Faults during a batch of letters, on PostgreSQL and Redis with real worker
processes: Redis down when the batch is sent, a worker killed (with its job
process) mid-batch, every database connection dropped mid-batch. Afterwards
every job is finished or failed with its reason, each letter is rendered once,
each award offered once, and no file is left without its row.

Nothing shared is stopped: "Redis down" is a closed port, the database faults
are ``pg_terminate_backend`` on this test's own private database. The figures
are printed (``-s``) and recorded in docs/reliability.md."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from grantflow.awards import letters as letter_ops
from grantflow.awards.models import Letter
from grantflow.core import dispatcher, jobs, outbox
from grantflow.core.db import utcnow
from grantflow.core.models import AuditEvent, BackgroundJob
from grantflow.extensions import db
from tests import factories, factories_awards as fa
from tests.conftest import REDIS_URL, require_service
from tests.core.test_honest_errors import closed_port_redis_url

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.redis]

AWARDED, DECLINED = 6, 18
FAST_LEASES = {"GRANTFLOW_JOB_LEASE_SECONDS": "4", "GRANTFLOW_JOB_RETRY_SECONDS": "1",
               "GRANTFLOW_JOB_SWEEP_SECONDS": "1", "GRANTFLOW_JOB_MAX_ATTEMPTS": "4"}


def _start_worker(app, queue: str) -> subprocess.Popen:
    """A real ``grantflow worker`` (with its dispatcher) in its own process group."""
    env = {**os.environ, **FAST_LEASES, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": REDIS_URL, "RQ_QUEUE": queue, "SECRET_KEY": "test-secret",
           "GRANTFLOW_LETTER_DIR": str(app.config["LETTER_DIR"])}
    grantflow = Path(sys.executable).parent / "grantflow"
    return subprocess.Popen([str(grantflow), "worker"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _kill(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and the job process it forked: nothing gets to clean up."""
    try:
        os.killpg(worker.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    worker.wait(timeout=30)


def _drop_connections(app) -> int:
    """Every connection to this test's own database, as a database restart would."""
    name = app.config["SQLALCHEMY_DATABASE_URI"].rsplit("/", 1)[1]
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        dropped = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name}).scalar()
    engine.dispose()
    return dropped


def _statuses(job_ids) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(BackgroundJob.status, func.count()).where(BackgroundJob.id.in_(job_ids))
                              .group_by(BackgroundJob.status)).all()
    return dict(rows)


def _wait_for(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if predicate():
                return True
        except Exception:  # noqa: BLE001 - the database may be reconnecting
            db.session.rollback()
        time.sleep(0.5)
    return False


def test_a_batch_survives_redis_down_a_killed_worker_and_dropped_connections(postgres_app, tmp_path):
    require_service("Redis", REDIS_URL)
    app = postgres_app
    previous = {key: app.config.get(key) for key in ("LETTER_DIR", "REDIS_URL", "RQ_QUEUE",
                                                       *(k[10:] for k in FAST_LEASES))}
    app.config.update(LETTER_DIR=tmp_path / "letters", REDIS_URL=closed_port_redis_url(),
                      RQ_QUEUE=f"grantflow-test-faults-{os.getpid()}", **{k[10:]: int(v) for k, v in FAST_LEASES.items()})
    workers: list[subprocess.Popen] = []
    try:
        with app.app_context():
            admin = fa.create_admin()
            round_ = factories.create_round()
            awarded = [fa.create_awarded_application(admin=admin, round_=round_)[0].id for _ in range(AWARDED)]
            for _ in range(DECLINED):
                factories.create_application(round_=round_, state="declined")
            outbox.commit()

            # 1. Redis is down when the batch is sent: the batch is saved, its jobs wait
            batch = letter_ops.start_round_letters(round_, admin, send=True)
            outbox.commit()
            job_ids, batch_id = [letter.job_id for letter in batch.letters], batch.id
            assert _statuses(job_ids) == {"queued": AWARDED + DECLINED}
            assert db.session.scalar(select(func.count()).select_from(BackgroundJob).where(
                BackgroundJob.id.in_(job_ids), BackgroundJob.enqueued_at.is_not(None))) == 0
            db.session.remove()

            # 2. Redis is back; a worker's dispatcher hands the jobs over; kill it mid-batch
            app.config["REDIS_URL"] = REDIS_URL
            workers.append(_start_worker(app, app.config["RQ_QUEUE"]))
            assert _wait_for(lambda: _statuses(job_ids).get("done", 0) >= 3 and _statuses(job_ids).get("running"),
                             120), _statuses(job_ids)  # while a letter is being rendered
            _kill(workers[-1])
            killed_at = _statuses(job_ids)

            # 3. another worker starts; every connection to the database is dropped mid-batch
            workers.append(_start_worker(app, app.config["RQ_QUEUE"]))
            assert _wait_for(lambda: _statuses(job_ids).get("done", 0) >= killed_at.get("done", 0) + 3, 120)
            db.session.remove()
            dropped = _drop_connections(app)
            db.engine.dispose()  # ours were dropped too

            # 4. every job ends: done, or failed with its reason
            started = time.monotonic()
            finished = _wait_for(lambda: set(_statuses(job_ids)) <= {"done", "failed"}, 180)
            took = time.monotonic() - started
            final = _statuses(job_ids)
            assert finished, final
            failed = db.session.scalars(select(BackgroundJob).where(BackgroundJob.id.in_(job_ids),
                                                                    BackgroundJob.status == "failed")).all()
            assert all(job.error for job in failed)
            attempts = dict(db.session.execute(select(BackgroundJob.attempts, func.count()).where(
                BackgroundJob.id.in_(job_ids)).group_by(BackgroundJob.attempts)).all())

            # 5. once each: one version per letter, one file per rendered letter, one offer per award
            letters = db.session.scalars(select(Letter).where(Letter.batch_id == batch_id)).all()
            assert len(letters) == AWARDED + DECLINED
            ready = [letter for letter in letters if letter.is_ready]
            root = Path(app.config["LETTER_DIR"])
            files = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
            orphans = dispatcher.remove_orphan_files(now=utcnow() + timedelta(hours=2))
            assert sorted(letter.file_path for letter in ready) == sorted(
                key for key in files if f"letters/{key}" not in orphans)
            offers = dict(db.session.execute(select(AuditEvent.application_id, func.count()).where(
                AuditEvent.application_id.in_(awarded), AuditEvent.action == "workflow.offer_award")
                .group_by(AuditEvent.application_id)).all())
            assert all(count == 1 for count in offers.values())
            assert len(offers) == len([letter for letter in ready if letter.application_id in awarded])
            print(f"\nfaults: {AWARDED + DECLINED} letters; killed with {killed_at}; {dropped} connections "
                  f"dropped; all ended {took:.1f} s later: {final}; attempts {attempts}; "
                  f"{len(ready)} rendered once, {len(offers)} offers once, {len(orphans)} orphan files swept")
            db.session.remove()
    finally:
        for worker in workers:
            _kill(worker)
        with app.app_context():
            try:
                jobs.get_queue().empty()
            except Exception:  # noqa: BLE001 - best effort
                pass
        app.config.update(previous)
