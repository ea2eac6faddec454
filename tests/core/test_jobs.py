"""Background jobs: in-process without REDIS_URL, real RQ workers with it."""
from __future__ import annotations

import os

import pytest

from grantflow.core import jobs, outbox
from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from tests.conftest import REDIS_URL, TEST_DATABASE_URL, require_service


def failing_task(job, reason: str):
    raise RuntimeError(reason)


def test_in_process_job_runs_after_commit_only(app):
    job = jobs.enqueue("grantflow.core.tasks.database_health")
    assert job.status == "queued"
    db.session.rollback()  # a rolled-back request starts nothing
    assert db.session.query(BackgroundJob).count() == 0
    job = jobs.enqueue("grantflow.core.tasks.database_health")
    outbox.commit()
    db.session.refresh(job)
    assert job.status == "done"
    assert job.result["dialect"] == db.engine.dialect.name


def test_failed_job_is_recorded_and_retryable(app):
    job = jobs.enqueue("tests.core.test_jobs.failing_task", reason="template missing")
    outbox.commit()
    db.session.refresh(job)
    assert job.status == "failed" and "template missing" in job.error
    jobs.retry(job)
    outbox.commit()
    db.session.refresh(job)
    assert job.status == "failed" and job.attempts == 2


def test_database_engine_in_use_is_the_one_configured():
    """CI's second pass must really run on PostgreSQL."""
    expected = "postgresql" if TEST_DATABASE_URL else "sqlite"
    assert db.engine.dialect.name == expected


@pytest.mark.redis
def test_rq_worker_runs_a_job_from_redis(app):
    require_service("Redis", REDIS_URL)
    from redis import Redis
    from rq import SimpleWorker

    app.config["REDIS_URL"] = REDIS_URL
    app.config["RQ_QUEUE"] = f"grantflow-test-{os.getpid()}"
    try:
        job = jobs.enqueue("grantflow.core.tasks.database_health")
        outbox.commit()
        queue = jobs.get_queue()
        assert queue.count == 1  # really queued in Redis, not run in-process
        db.session.refresh(job)
        assert job.status == "queued"
        SimpleWorker([queue], connection=Redis.from_url(REDIS_URL)).work(burst=True)
        db.session.expire_all()
        assert db.session.get(BackgroundJob, job.id).status == "done"
    finally:
        app.config["REDIS_URL"] = None
