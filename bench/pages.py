"""Benchmark: page latency at 100,000 applications.

Seeds a database with ``grantflow seed --synthetic N`` (or reuses one with
``--database``) and times, through the WSGI test client of the real app:

- ``bare``: a bare Flask view doing one indexed query (an application by primary
  key), registered on the same app so both share the request machinery;
- ``signed_in_layout`` (informational, not the baseline): the same query behind
  the sign-in check, rendered inside the site layout (base.html);
- ``applications``: the admin application list (first page);
- ``queue``: the reviewer queue of the busiest synthetic reviewer;
- ``dashboard``: the portfolio dashboard, warm (figures from the per-process
  cache, the median case) and cold (the cache emptied before every request).

Each is requested ``--repeat`` times in a row after a warm-up; the median is
reported with the number of SQL statements it sent. The bare view is timed first
and last; the faster of the two is the baseline. Requests are made outside any
app context, so each one gets its own app context and database session, as in
production.
Target (issue 8): every page's median at most 3x the bare view's.

    .venv/bin/python bench/pages.py                      # SQLite, 100,000 applications
    .venv/bin/python bench/pages.py --postgres
    .venv/bin/python bench/pages.py --database sqlite:////tmp/seeded.sqlite
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.exports import fresh_database, make_app, seed  # noqa: E402


def sign_in(client, user_id: int) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True


def timed(client, url: str, repeat: int, engine, before=None) -> dict:
    """Median latency of ``url``, requested ``repeat`` times in a row. Called
    outside any app context, so every request pushes its own, with its own
    database session, as in production. (Not interleaved with the other pages:
    that slowed the bare view by a third, its CPU caches cold after each page,
    which would flatter every ratio.)"""
    from tests.querycount import count_queries

    for _ in range(3):
        if before:
            before()
        assert client.get(url).status_code == 200, url
    samples, statements = [], 0
    for _ in range(repeat):
        if before:
            before()
        with count_queries(engine) as queries:
            started = time.perf_counter()
            response = client.get(url)
            response.get_data()
            samples.append(time.perf_counter() - started)
        statements = len(queries)
    return {"median_ms": round(1000 * statistics.median(samples), 2), "queries": statements}


def measure(database_url: str, workdir: Path, repeat: int) -> dict:
    import sqlalchemy as sa
    from flask import render_template
    from flask_login import login_required

    from grantflow.applications.models import Application
    from grantflow.extensions import db
    from grantflow.portfolio import cache
    from grantflow.reviews.models import ReviewAssignment
    from grantflow.users.models import User, UserRole

    app = make_app(database_url, str(workdir))
    app.config["PORTFOLIO_CACHE_SECONDS"] = 300

    @app.route("/bench/bare")
    def bare():
        state = db.session.execute(sa.select(Application.state).where(Application.id == 4242)).scalar()
        return f"state: {state}"

    layout = app.jinja_env.from_string('{% extends "base.html" %}{% block content %}<p>{{ state }}</p>{% endblock %}')

    @app.route("/bench/layout")
    @login_required
    def signed_in_layout():
        """Informational (not the target's baseline): the bare view's query, signed
        in, inside the site layout: what every page costs before its own work."""
        state = db.session.execute(sa.select(Application.state).where(Application.id == 4242)).scalar()
        return render_template(layout, state=state)

    # Setup only inside an app context: its Flask-SQLAlchemy session would
    # otherwise be shared by every timed request (objects expired and reloaded
    # instead of a fresh session per request as in production).
    with app.app_context():
        engine = db.engine
        admin = db.session.scalar(sa.select(User).join(UserRole).where(UserRole.role == "admin"))
        if admin is None:
            admin = User(email="bench-admin@synthetic.example", name="Bench Admin")
            admin.grant_role("admin")
            db.session.add(admin)
            db.session.commit()
        busiest = db.session.execute(
            sa.select(ReviewAssignment.reviewer_id, sa.func.count()).join(Application)
            .where(ReviewAssignment.status == "active", Application.state.in_(("in_review", "reviews_complete")))
            .group_by(ReviewAssignment.reviewer_id).order_by(sa.func.count().desc()).limit(1)).first()
        admin_id, reviewer_id = admin.id, busiest[0]
    client = app.test_client()
    admin_client = app.test_client()
    sign_in(admin_client, admin_id)
    reviewer_client = app.test_client()
    sign_in(reviewer_client, reviewer_id)
    # the bare view is timed first and last, and the faster is the baseline, so a
    # busier machine during either block cannot make the ratios look better
    results = {"bare_first": timed(client, "/bench/bare", repeat, engine),
               "signed_in_layout": timed(admin_client, "/bench/layout", repeat, engine),
               "applications": timed(admin_client, "/admin/applications", repeat, engine),
               "dashboard_warm": timed(admin_client, "/admin/portfolio/", repeat, engine),
               "dashboard_cold": timed(admin_client, "/admin/portfolio/", max(3, repeat // 10), engine,
                                       before=cache.clear),
               "queue": timed(reviewer_client, "/reviews/", repeat, engine),
               "bare_last": timed(client, "/bench/bare", repeat, engine)}
    results = {"bare": dict(min(results["bare_first"], results["bare_last"], key=lambda row: row["median_ms"])),
               **results}
    results["queue"]["assignments"] = busiest[1]
    engine.dispose()
    bare_ms = results["bare"]["median_ms"]
    for name, row in results.items():
        row["ratio_to_bare"] = round(row["median_ms"] / bare_ms, 2)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--database", help="an already seeded database URL (skips seeding)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grantflow-bench-") as tmp:
        workdir = Path(tmp)
        database = args.database
        if database is None:
            database = fresh_database("postgresql" if args.postgres else "sqlite", workdir, args.size)
            seed(database, workdir, args.size, args.seed)
        results = measure(database, workdir, args.repeat)
    kind = database.split(":", 1)[0].split("+")[0]
    print(json.dumps({"database": kind, "size": args.size, **results}))
    print(f"\n{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · {kind}\n")
    print("| page | median ms | x bare | SQL statements |")
    print("|---|---|---|---|")
    for name, row in results.items():
        print(f"| {name} | {row['median_ms']} | {row['ratio_to_bare']}x | {row['queries']} |")


if __name__ == "__main__":
    main()
