"""The dispatcher: jobs never handed over are handed over, jobs whose worker
died are retried with back-off and then failed with their reason, a job run
twice does its work once, files no row refers to are swept; and the
``grantflow jobs`` commands."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from grantflow.awards import letters as letter_ops
from grantflow.awards.models import Letter
from grantflow.core import dispatcher, jobs, outbox, storage
from grantflow.core.db import utcnow
from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from tests import factories_awards as fa
from tests.conftest import REDIS_URL, require_service
from tests.core.test_honest_errors import closed_port_redis_url

LATER = timedelta(minutes=5)


def _running_job(*, attempts: int, silent_for: timedelta) -> BackgroundJob:
    """A job whose worker claimed it and then stopped renewing its lease."""
    seen = utcnow() - silent_for
    job = BackgroundJob(task="grantflow.core.tasks.database_health", args={}, status="running",
                        attempts=attempts, started_at=seen, heartbeat_at=seen)
    db.session.add(job)
    outbox.commit()
    return job


@pytest.mark.parametrize("attempts, status, retried", [(1, "queued", True), (2, "queued", True), (3, "failed", False)])
def test_a_job_whose_worker_died_is_retried_then_failed_with_its_reason(app, attempts, status, retried):
    job = _running_job(attempts=attempts, silent_for=timedelta(minutes=10))
    lively = _running_job(attempts=1, silent_for=timedelta(seconds=1))

    report = dispatcher.sweep()

    db.session.expire_all()
    assert (job.status, job.id in report.retried, job.id in report.failed) == (status, retried, not retried)
    assert "stopped responding" in job.error
    if retried:  # back-off doubles with each attempt; not handed over before then
        assert job.retry_at - utcnow() > timedelta(seconds=app.config["JOB_RETRY_SECONDS"] * 2 ** (attempts - 1) - 5)
        assert job.id not in report.handed_over
    else:
        assert "Gave up after 3 attempts" in job.error
    assert lively.status == "running"


def test_a_retried_job_runs_once_its_back_off_has_passed(app):
    job = _running_job(attempts=1, silent_for=timedelta(minutes=10))
    dispatcher.sweep()
    report = dispatcher.sweep(now=utcnow() + LATER)

    db.session.expire_all()
    assert report.handed_over == [job.id]
    assert (job.status, job.attempts) == ("done", 2)  # no REDIS_URL: run here and now


def test_a_job_committed_while_redis_was_down_is_handed_over_by_the_next_sweep(app):
    app.config["REDIS_URL"] = closed_port_redis_url()
    try:
        job = jobs.enqueue("grantflow.core.tasks.database_health")
        outbox.commit()
        db.session.expire_all()
        assert (job.status, job.enqueued_at) == ("queued", None)
        report = dispatcher.sweep(now=utcnow() + LATER)
        assert report.not_handed_over == [job.id]  # still down: it keeps waiting, nothing fails
    finally:
        app.config["REDIS_URL"] = None
    report = dispatcher.sweep(now=utcnow() + LATER)  # back (here: in-process)
    db.session.expire_all()
    assert report.handed_over == [job.id] and job.status == "done"


@pytest.mark.redis
def test_the_sweep_hands_a_waiting_job_to_redis(app):
    require_service("Redis", REDIS_URL)
    app.config.update(REDIS_URL=REDIS_URL, RQ_QUEUE=f"grantflow-test-sweep-{os.getpid()}")
    try:
        job = BackgroundJob(task="grantflow.core.tasks.database_health", args={})
        db.session.add(job)
        outbox.commit()
        report = dispatcher.sweep(now=utcnow() + LATER)
        db.session.expire_all()
        assert report.handed_over == [job.id] and job.enqueued_at is not None
        assert jobs.get_queue().count == 1
    finally:
        jobs.get_queue().empty()
        app.config.update(REDIS_URL=None, RQ_QUEUE="grantflow")


def test_a_letter_job_run_twice_makes_one_letter_version_and_one_file(app, storage_backend):
    application, _, _, admin = fa.create_awarded_application()
    outbox.commit()
    letter = letter_ops.send_award_letter(application, admin)
    outbox.commit()
    first_file = letter.file_path
    assert letter.status == "ready"

    jobs.execute(letter.job_id)  # handed over twice: the second is not claimed
    letter.job.status = "queued"  # or its worker died after the commit, and it is run again
    outbox.commit()
    jobs.execute(letter.job_id)

    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Letter)
                             .where(Letter.application_id == application.id)) == 1
    assert [o.key for o in storage.area("letters").list()] == [first_file]
    assert letter.job.status == "done" and letter.sent_at is not None


def test_a_letter_whose_worker_died_can_be_sent_again_and_retried(app, client, login_as):
    application, _, _, admin = fa.create_awarded_application()
    letter = letter_ops.request_letter(application, "award", admin, send=True, dispatch=False)
    letter.job.status, letter.job.attempts = "running", 1
    letter.job.started_at = letter.job.heartbeat_at = utcnow() - timedelta(hours=1)
    login_as(admin)

    page = client.get(f"/admin/awards/{application.id}").get_data(as_text=True)
    assert "Stalled" in page and "Retry" in page
    assert client.post(f"/admin/awards/{application.id}/send").status_code == 302  # not "already being prepared"
    assert client.post(f"/letters/{letter.id}/retry").status_code == 302
    db.session.expire_all()
    assert letter.status == "ready"


def test_files_no_committed_row_refers_to_are_swept(app, storage_backend, f):
    """A process killed between storing a file and committing its row leaves the
    file behind (a rollback would have deleted it): uploads, letters and exports,
    on local folders and on S3, once an hour old."""
    from grantflow.applications.uploads import upload_key
    from grantflow.portfolio.tasks import EXPORT_TASK, export_key
    from tests.factories_applications import create_attachment

    application = fa.create_awarded_application()[0]
    attachment = create_attachment(application)
    letter = fa.create_letter_directly(application)
    export = BackgroundJob(task=EXPORT_TASK, args={"format": "csv", "filters": {}}, status="done")
    db.session.add(export)
    db.session.flush()
    export.result = {"file": f"{export.id}-portfolio.csv", "filename": "portfolio.csv", "rows": 0}
    outbox.commit()
    storage.area("exports").put_bytes(export_key(export.result["file"]), b"kept")
    # the public catalog's download of a publishing round is kept; one of rounds that no longer publish is not
    from grantflow.catalog.downloads import package_key

    application.round.fund.settings = {"open_data": True}
    outbox.commit()
    published = package_key(application.round.fund, [application.round_id], "json")
    storage.area("exports").put_bytes(published, b"{}")
    orphans = [("uploads", "ff/" + "f" * 40), ("letters", f"{application.id}/award-v2-0123456789ab.pdf"),
               ("exports", f"{export_key(str(export.id + 1))}-portfolio.csv"),
               ("exports", "public/former-rounds-360giving.json")]
    for name, key in orphans:
        storage.area(name).put_bytes(key, b"%PDF-1.7 left by a killed process")
    if storage_backend == "local":  # a temporary file of a process killed while writing
        half_written = Path(app.config["LETTER_DIR"]) / ".staging" / "tmpa1b2c3" / "award.pdf"
        half_written.parent.mkdir(parents=True)
        half_written.write_bytes(b"%PDF-1.7 half")

    assert dispatcher.remove_orphan_files() == []  # younger than an hour: maybe still being committed

    removed = dispatcher.remove_orphan_files(utcnow() + timedelta(hours=2))
    expected = [f"{name}/{key}" for name, key in orphans]
    expected += ["letters/.staging/tmpa1b2c3/award.pdf"] if storage_backend == "local" else []
    assert sorted(removed) == sorted(expected)
    assert not any(storage.area(name).exists(key) for name, key in orphans)
    assert storage.area("uploads").exists(upload_key(attachment.storage_name))
    assert storage.area("letters").exists(letter.file_path)
    assert sorted(o.key for o in storage.area("exports").list()) == sorted(
        [export_key(export.result["file"]), published])


def test_jobs_commands_list_the_stuck_ones_retry_and_sweep(app, runner):
    stuck = _running_job(attempts=1, silent_for=timedelta(minutes=10))
    failed = BackgroundJob(task="grantflow.core.tasks.database_health", args={}, status="failed",
                           attempts=3, error="OperationalError: the server closed the connection")
    done = BackgroundJob(task="grantflow.core.tasks.database_health", args={}, status="done")
    db.session.add_all([failed, done])
    outbox.commit()
    ids = (stuck.id, failed.id, done.id)

    listed = runner.invoke(args=["jobs", "list", "--stuck"])
    assert listed.exit_code == 0 and f"{stuck.id}  stalled" in listed.output and "1 job stuck." in listed.output
    everything = runner.invoke(args=["jobs", "list"]).output
    assert "the server closed the connection" in everything and "3 jobs." in everything

    refused = runner.invoke(args=["jobs", "retry", str(done.id)])
    assert refused.exit_code == 1 and "only a failed or stalled job" in refused.output
    assert runner.invoke(args=["jobs", "retry", "99999999999999999999"]).exit_code == 2  # a usage error, no trace
    assert runner.invoke(args=["jobs", "retry", str(failed.id)]).exit_code == 0
    retried = runner.invoke(args=["jobs", "retry", "--all-failed"])
    assert retried.exit_code == 0 and f": {stuck.id}." in retried.output

    swept = runner.invoke(args=["jobs", "sweep"])
    assert swept.exit_code == 0 and "stalled jobs retried" in swept.output
    db.session.expire_all()
    assert [db.session.get(BackgroundJob, i).status for i in ids] == ["done", "done", "done"]


@pytest.mark.parametrize("stalled", [False, True])
def test_a_job_page_offers_retry_on_a_failed_or_stalled_job(app, client, login_as, stalled):
    from grantflow.portfolio.tasks import EXPORT_TASK

    admin = fa.create_admin()
    job = BackgroundJob(task=EXPORT_TASK, args={"format": "csv", "filters": {}, "staff": True}, attempts=1,
                        status="running" if stalled else "failed",
                        error=None if stalled else "OperationalError: the database restarted\n\nTraceback ...")
    if stalled:
        job.started_at = job.heartbeat_at = utcnow() - timedelta(minutes=10)
    db.session.add(job)
    login_as(admin)
    page_url = f"/admin/portfolio/exports/{job.id}"

    page = client.get(page_url)
    text = page.get_data(as_text=True)
    assert "Refresh" not in page.headers  # the page stops reloading: nothing will change by itself
    assert ("stopped responding" in text) is stalled and ("the database restarted" in text) is not stalled
    assert "Traceback" not in text and ">Retry</button>" in text

    retried = client.post(f"/admin/jobs/{job.id}/retry", data={"next": page_url + "?"})
    assert retried.status_code == 302 and retried.headers["Location"].endswith(page_url)
    db.session.expire_all()
    assert job.status == "done"
    assert client.post(f"/admin/jobs/{job.id}/retry").status_code == 409  # done: nothing to retry
