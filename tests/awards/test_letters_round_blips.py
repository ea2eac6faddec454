"""``grantflow letters round`` survives a Redis or database blip and says what
it could not do; nothing it started is lost."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import OperationalError

from grantflow.awards.models import Letter
from grantflow.cli import cli as grantflow_cli
from grantflow.core import dispatcher, jobs
from grantflow.core.db import utcnow
from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from tests import factories_awards as fa
from tests.core.test_honest_errors import closed_port_redis_url


def _round_with_two_decisions(f):
    admin = fa.create_admin()
    round_ = f.create_round()
    fa.create_awarded_application(admin=admin, round_=round_)
    f.create_application(round_=round_, state="declined")
    db.session.commit()
    return round_


def test_with_redis_down_the_command_reports_it_and_the_dispatcher_finishes_the_batch(app, f, runner):
    round_ = _round_with_two_decisions(f)
    app.config["REDIS_URL"] = closed_port_redis_url()
    try:
        result = runner.invoke(grantflow_cli, args=["letters", "round", str(round_.id), "--send", "--wait", "1"])
    finally:
        app.config["REDIS_URL"] = None

    assert result.exit_code == 1
    assert "Could not reach Redis at times" in result.output
    assert "0 rendered, 0 failed, 2 not finished" in result.output
    dispatcher.sweep(now=utcnow() + timedelta(minutes=1))  # Redis "back" (here: in-process)
    db.session.expire_all()
    letters = db.session.scalars(db.select(Letter)).all()
    assert len(letters) == 2 and all(letter.status == "ready" for letter in letters)


def test_a_database_blip_while_rendering_is_reported_and_tried_again(app, f, runner, monkeypatch):
    round_ = _round_with_two_decisions(f)
    real_execute, blips = jobs.execute, []

    def execute_with_one_blip(job_id):
        if not blips:
            blips.append(job_id)
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        return real_execute(job_id)

    monkeypatch.setattr(jobs, "execute", execute_with_one_blip)
    result = runner.invoke(grantflow_cli, args=["letters", "round", str(round_.id)])

    assert result.exit_code == 0, result.output
    assert "Could not reach the database while rendering" in result.output
    assert "2 rendered, 0 failed, 0 not finished" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(BackgroundJob)
                             .where(BackgroundJob.status != "done")) == 0
