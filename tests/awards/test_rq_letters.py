"""A real RQ worker, in its own process, renders a round's letters from Redis."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grantflow.awards import letters as letter_ops
from grantflow.awards.models import LetterBatch
from grantflow.core import jobs, outbox
from grantflow.extensions import db
from tests import factories_awards as fa
from tests.conftest import REDIS_URL, require_service

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_queue(app):
    """The app enqueues to a private RQ queue on the real Redis for this test."""
    require_service("Redis", REDIS_URL)
    queue_name = f"grantflow-test-letters-{os.getpid()}"
    app.config.update(REDIS_URL=REDIS_URL, RQ_QUEUE=queue_name)
    try:
        yield queue_name
    finally:
        jobs.get_queue().empty()
        app.config.update(REDIS_URL=None, RQ_QUEUE="grantflow")


def run_worker(app, queue_name: str) -> subprocess.CompletedProcess:
    """``grantflow worker --burst`` against the test database and letter folder."""
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": REDIS_URL,
           "RQ_QUEUE": queue_name, "SECRET_KEY": "test-secret",
           "GRANTFLOW_LETTER_DIR": str(app.config["LETTER_DIR"])}
    grantflow = Path(sys.executable).parent / "grantflow"
    return subprocess.run([str(grantflow), "worker", "--burst"], env=env, capture_output=True, text=True,
                          timeout=300)


def test_a_worker_process_renders_a_batch_from_redis(app, f, redis_queue):
    admin = fa.create_admin()
    round_ = f.create_round()
    awarded = [fa.create_awarded_application(admin=admin, round_=round_)[0] for _ in range(3)]
    f.create_application(round_=round_, state="declined")
    outbox.commit()
    batch = letter_ops.start_round_letters(round_, admin, send=True)
    batch_id = batch.id
    outbox.commit()

    assert jobs.get_queue().count == 4                 # queued in Redis, not run in-process
    assert letter_ops.batch_progress(batch)["pending"] == 4
    assert all(a.state == "awarded" for a in awarded)
    db.session.close()  # the test holds no connection while the worker writes

    worker = run_worker(app, redis_queue)
    assert worker.returncode == 0, worker.stderr[-2000:]

    db.session.expire_all()
    batch = db.session.get(LetterBatch, batch_id)
    progress = letter_ops.batch_progress(batch)
    assert (progress["ready"], progress["failed"], progress["is_finished"]) == (4, 0, True), \
        [letter.error for letter in batch.letters]
    for letter in batch.letters:
        assert letter_ops.read_letter(letter).startswith(b"%PDF")
    assert all(db.session.get(type(a), a.id).state == "award_offered" for a in awarded)
