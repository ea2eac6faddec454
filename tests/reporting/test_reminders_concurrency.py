"""Two reminder runs racing on PostgreSQL send each reminder once.

Both runs see the reminder as owed; the second one's INSERT waits for the
first to commit, then hits the unique (report, kind) constraint in its
savepoint and skips the email."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from grantflow.core.models import OutboxEmail
from grantflow.extensions import db
from grantflow.reporting import reminders
from grantflow.reporting.models import ReportReminder

from tests.factories_reporting import create_grant

pytestmark = pytest.mark.postgres


def test_racing_runs_send_each_reminder_once(app, f, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs the suite on PostgreSQL (GRANTFLOW_TEST_DATABASE_URL)")
    create_grant(members=1)
    db.session.commit()
    both_listed = threading.Barrier(2, timeout=10)
    listed = reminders.reports_needing_reminders

    def list_then_wait(today):
        owed = listed(today)
        both_listed.wait()  # both runs have decided the reminder is owed before either inserts
        return owed

    monkeypatch.setattr(reminders, "reports_needing_reminders", list_then_wait)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                results.append(sum(reminders.send_due_reminders(date(2025, 7, 1)).values()))
                db.session.commit()
        except Exception as exc:  # surfaced below with the test's own assertion
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(results) == [0, 1]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ReportReminder)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)
                             .where(OutboxEmail.template == "report_reminder")) == 1
