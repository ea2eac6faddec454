"""Benchmark: the workflow engine (issue 3).

It measures, on a fresh database (SQLite file, and PostgreSQL when reachable):

- binding: what the engine costs per application row. The engine never adds a
  row to a ``transitions`` Machine (one Machine per workflow version), so asking
  ``may()`` / ``available_actions()`` of 1,000 loaded rows should retain no
  memory per row (tracemalloc) and cost only Python time; for contrast, the
  same rows given one ``Machine(model=row)`` each, the pattern we avoid;
- firing: 10,000 moves (``start_screening``, admin) through ``fire()``, each in
  its own transaction as a request would (check the role and guards, move,
  UPDATE with the optimistic lock, INSERT the audit row, commit), against the
  same UPDATE ... WHERE version + INSERT + COMMIT in plain SQL through the same
  SQLAlchemy engine. Loading the row is outside both timings. Target: engine
  <= 3x plain SQL;
- the engine's overhead per move (Python in ``fire()``, the ORM flush), from the
  difference of the two.

    .venv/bin/python bench/workflow_engine.py                 # SQLite and PostgreSQL
    .venv/bin/python bench/workflow_engine.py --moves 2000    # quicker
    .venv/bin/python bench/workflow_engine.py --no-postgres
    .venv/bin/python bench/workflow_engine.py --memory        # also in-memory SQLite (no disk)

PostgreSQL: a private database ``gf_bench_wf_<pid>`` is created on
GRANTFLOW_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
and dropped afterwards. Prints one JSON line per database and a Markdown table.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from grantflow import create_app  # noqa: E402
from grantflow.applications.models import Application  # noqa: E402
from grantflow.core import workflow  # noqa: E402
from grantflow.core.db import utcnow  # noqa: E402
from grantflow.extensions import db  # noqa: E402
from grantflow.funds.models import Fund, Round  # noqa: E402
from grantflow.organisations.models import Organisation  # noqa: E402
from grantflow.users.models import User  # noqa: E402

PG_BASE = os.environ.get("GRANTFLOW_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _psycopg(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgresql://") else url


def make_app(url: str, instance: Path):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REDIS_URL": None,
                       "MAIL_SERVER": None, "UPLOAD_DIR": instance / "u", "LETTER_DIR": instance / "l",
                       "EXPORT_DIR": instance / "e"})


def seed(count: int) -> tuple[int, list[int]]:
    """An admin and ``count`` submitted applications (bulk inserts)."""
    now = utcnow()
    fund = Fund(slug="bench", name="Bench fund", funder_name="Bench office")
    round_ = Round(fund=fund, name="Bench round", opens_at=now.replace(year=now.year - 1),
                   closes_at=now.replace(year=now.year + 1), workflow_key="local_to_global", workflow_version=1,
                   form_key="local_to_global")
    organisation = Organisation(name="City of Benchmark", applicant_type="C", state="IA")
    admin = User(email="admin@bench.example", name="Bench Admin", password_hash="x")
    admin.grant_role("admin")
    db.session.add_all([fund, round_, organisation, admin])
    db.session.flush()
    rows = [dict(round_id=round_.id, organisation_id=organisation.id, workflow_key="local_to_global",
                 workflow_version=1, state="submitted", form_key="local_to_global", form_version=1, answers={},
                 title=f"Project {n}", themes=["climate"], version=1, created_at=now, updated_at=now,
                 state_changed_at=now) for n in range(count)]
    for start in range(0, count, 2000):
        db.session.execute(insert(Application), rows[start:start + 2000])
    db.session.commit()
    ids = db.session.scalars(select(Application.id).order_by(Application.id)).all()
    return admin.id, ids


def reset() -> None:
    db.session.execute(text("DELETE FROM audit_events"))
    db.session.execute(text("UPDATE applications SET state = 'submitted', version = 1"))
    db.session.commit()
    db.session.expunge_all()


def load_admin(admin_id: int):
    """The signed-in user, loaded once as Flask-Login does per request; detached
    so that commits do not expire it (both runs then measure only the move)."""
    admin = db.session.get(User, admin_id)
    admin.roles  # noqa: B018 - load the roles now
    db.session.expunge(admin)
    return admin


def run_engine(admin_id: int, ids: list[int]) -> float:
    """Seconds spent in ``fire()`` and the commit; loading each row is not counted
    (the plain-SQL run does not load rows either)."""
    admin = load_admin(admin_id)
    spent = 0.0
    for application_id in ids:
        application = db.session.get(Application, application_id)
        started = time.perf_counter()
        workflow.fire(application, "start_screening", admin, expected_version=1)
        db.session.commit()
        spent += time.perf_counter() - started
        db.session.expunge(application)  # a request ends with an empty session
    return spent


PLAIN_SELECT = text("SELECT state, version FROM applications WHERE id = :id")
PLAIN_UPDATE = text("UPDATE applications SET state = :dest, version = version + 1, state_changed_at = :now, "
                    "updated_at = :now WHERE id = :id AND version = :version")
PLAIN_INSERT = text(
    "INSERT INTO audit_events (created_at, actor_id, application_id, subject_type, subject_id, action, "
    "from_state, to_state, comment, data, ip_address, is_visible_to_applicant) VALUES (:now, :actor, :id, "
    "'Application', :id, 'workflow.start_screening', :source, :dest, NULL, '{}', NULL, :visible)")


def run_plain(admin_id: int, ids: list[int]) -> float:
    """Seconds spent in the same UPDATE ... WHERE version and audit INSERT, and
    the commit, through the same SQLAlchemy engine (the state and version are
    read beforehand, untimed, as the engine's rows are loaded untimed)."""
    spent = 0.0
    with db.engine.connect() as conn:
        for application_id in ids:
            state, version = conn.execute(PLAIN_SELECT, {"id": application_id}).one()
            conn.rollback()
            started = time.perf_counter()
            with conn.begin():
                now = datetime.now(timezone.utc).replace(tzinfo=None)
                updated = conn.execute(PLAIN_UPDATE, {"dest": "screening", "now": now, "id": application_id,
                                                      "version": version})
                assert updated.rowcount == 1
                conn.execute(PLAIN_INSERT, {"now": now, "actor": admin_id, "id": application_id,
                                            "source": state, "dest": "screening", "visible": True})
            spent += time.perf_counter() - started
    return spent


def binding(admin_id: int, rows: int = 1000) -> dict:
    """Per-row cost of asking the engine about loaded rows, and of a Machine per row."""
    from transitions import Machine

    admin = load_admin(admin_id)
    applications = db.session.scalars(select(Application).limit(rows)).all()
    definition = workflow.get_definition("local_to_global", 1)
    for application in applications[:10]:  # warm caches
        workflow.available_actions(application, admin)

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    started = time.perf_counter()
    for application in applications:
        workflow.may(application, "start_screening", admin)
        workflow.available_actions(application, admin)
    engine_seconds = time.perf_counter() - started
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    retained = sum(stat.size_diff for stat in after.compare_to(before, "filename"))

    class Row:  # a stand-in for the ORM row: a Machine per row binds methods onto it
        def __init__(self, state):
            self.state = state

    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    machines = [Machine(model=Row(a.state), states=list(definition.states), initial=a.state,
                        auto_transitions=False, transitions=[
                            {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
                            for t in definition.transitions]) for a in applications]
    per_row_seconds = time.perf_counter() - started
    per_row_bytes, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del machines
    return {"rows": rows,
            "engine_us_per_row": round(engine_seconds / rows * 1e6, 1),
            "engine_bytes_retained_per_row": round(retained / rows, 1),
            "machine_per_row_ms": round(per_row_seconds / rows * 1e3, 3),
            "machine_per_row_kib": round(per_row_bytes / rows / 1024, 1)}


def measure(label: str, url: str, moves: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(url, Path(tmp))
        with app.app_context():
            db.create_all()
            admin_id, ids = seed(moves)
            result = {"database": label, "moves": moves, "binding": binding(admin_id)}
            reset()
            timings = {"engine": [], "plain": []}
            for _ in range(repeat):  # alternate, keep the best run of each
                reset()
                timings["engine"].append(run_engine(admin_id, ids))
                assert db.session.scalar(text("SELECT count(*) FROM audit_events")) == moves
                reset()
                timings["plain"].append(run_plain(admin_id, ids))
                assert db.session.scalar(text("SELECT count(*) FROM audit_events")) == moves
            engine, plain = min(timings["engine"]), min(timings["plain"])
            result.update({
                "engine_seconds": round(engine, 2), "plain_sql_seconds": round(plain, 2),
                "ratio": round(engine / plain, 2),
                "engine_ms_per_move": round(engine / moves * 1e3, 3),
                "plain_ms_per_move": round(plain / moves * 1e3, 3),
                "engine_overhead_ms_per_move": round((engine - plain) / moves * 1e3, 3),
            })
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    return result


def postgres_database() -> tuple[str, callable] | None:
    name = f"gf_bench_wf_{os.getpid()}"
    admin = create_engine(_psycopg(PG_BASE), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no server: skip PostgreSQL, say so
        print(f"PostgreSQL not available ({exc.__class__.__name__}); skipping it", file=sys.stderr)
        return None

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return _psycopg(PG_BASE).rsplit("/", 1)[0] + f"/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, the best one kept")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--memory", action="store_true", help="also an in-memory SQLite database")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(measure("sqlite (file)", f"sqlite:///{tmp}/bench.sqlite", args.moves, args.repeat))
    if args.memory:  # no disk at all: shows the engine's Python cost against SQL that costs almost nothing
        results.append(measure("sqlite (in memory)", "sqlite://", args.moves, args.repeat))
    if not args.no_postgres:
        found = postgres_database()
        if found:
            url, drop = found
            try:
                results.append(measure("postgresql", url, args.moves, args.repeat))
            finally:
                drop()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    for result in results:
        print(json.dumps({**result, "machine": machine, "date": datetime.now().date().isoformat()}))
    print()
    print("| database | moves | engine (s) | plain SQL (s) | ratio | engine ms/move | plain ms/move |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['database']} | {r['moves']:,} | {r['engine_seconds']} | {r['plain_sql_seconds']} | "
              f"{r['ratio']}x | {r['engine_ms_per_move']} | {r['plain_ms_per_move']} |")


if __name__ == "__main__":
    main()
