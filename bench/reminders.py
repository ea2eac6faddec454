"""How long the daily reminder run takes on a large portfolio.

Builds N active grants (each with two interim reports and a final report, due
dates spread over a year) in a temporary SQLite database, then times
``send_due_reminders`` for one day twice: the first run sends what is owed,
the second must send nothing (idempotence) and shows the cost of a no-op run.

    .venv/bin/python bench/reminders.py [N]        # default 5000 grants
Prints one JSON line."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grantflow import create_app  # noqa: E402
from grantflow.applications.models import Application  # noqa: E402
from grantflow.core import outbox  # noqa: E402
from grantflow.extensions import db  # noqa: E402
from grantflow.funds.models import Fund, Round  # noqa: E402
from grantflow.core.db import utcnow  # noqa: E402
from grantflow.organisations.models import Organisation  # noqa: E402
from grantflow.reporting.models import Report  # noqa: E402
from grantflow.reporting.reminders import send_due_reminders  # noqa: E402
from grantflow.users.models import User  # noqa: E402

TODAY = date(2025, 7, 1)


def build(n: int) -> None:
    now = utcnow()
    fund = Fund(slug="bench", name="Bench fund", funder_name="Office")
    round_ = Round(fund=fund, name="Bench round", opens_at=now - timedelta(days=400), closes_at=now,
                   workflow_key="local_to_global", workflow_version=1, form_key="local_to_global")
    db.session.add_all([fund, round_])
    for i in range(n):
        organisation = Organisation(name=f"City {i}", applicant_type="C", state="IA")
        user = User(email=f"grantee{i}@example.gov", name=f"Grantee {i}", organisation=organisation)
        user.grant_role("applicant")
        application = Application(round=round_, organisation=organisation, workflow_key="local_to_global",
                                  workflow_version=1, state="active", form_key="local_to_global",
                                  form_version=1, title=f"Grant {i}")
        start = TODAY - timedelta(days=i % 365)
        for kind, sequence, due in (("interim", 1, start + timedelta(days=182)),
                                    ("interim", 2, start + timedelta(days=365)),
                                    ("final", 1, start + timedelta(days=730))):
            db.session.add(Report(application=application, kind=kind, sequence=sequence, title=kind, due_on=due,
                                  original_due_on=due, form_key=kind))
        db.session.add_all([organisation, user, application])
        if i % 1000 == 999:
            db.session.flush()
    db.session.commit()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite", "SECRET_KEY": "bench",
                          "MAIL_SERVER": None, "REDIS_URL": None})
        with app.app_context():
            db.create_all()
            build(n)
            started = time.perf_counter()
            sent = send_due_reminders(TODAY)
            outbox.commit()
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = send_due_reminders(TODAY)
            outbox.commit()
            second = time.perf_counter() - started
            print(json.dumps({"grants": n, "reports": 3 * n, "sent": sum(sent.values()),
                              "sent_again": sum(again.values()), "first_run_seconds": round(first, 2),
                              "second_run_seconds": round(second, 2),
                              "ms_per_reminder": round(1000 * first / max(sum(sent.values()), 1), 2)}))
            db.engine.dispose()


if __name__ == "__main__":
    main()
