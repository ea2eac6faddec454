"""Benchmark: the page budget over HTTP at 100,000 applications on PostgreSQL.

Seeds a PostgreSQL database with ``grantflow seed --synthetic`` (kept between
runs: ``--reseed`` starts afresh), serves it with gunicorn (``--workers 4``, and
``REDIS_URL`` set, so the shared cache lives in Redis as in production), and
runs ``--clients 20`` clients for ``--seconds 60``, each requesting the pages in
turn, a new connection per request, timed by the client from sending the
request to reading the whole response. One of the clients is the changer: every
``--change-every 5`` seconds it moves a submitted application into screening
through the staff form (which replaces the portfolio's cache generation), then
requests the dashboard: "dashboard after a change".

Before the clock starts, every page is requested a few times (untimed), so that
each worker has its templates loaded and the dashboard's figures exist.

Pages: the staff application list (page 1 unfiltered, a filtered page, page 50),
the busiest reviewer's queue, an application's staff page, the ranking of a round
of about 300 reviewed applications (from a second synthetic fund of 1,000), the
dashboard (warm).

Reports p50, p95 and errors (a status other than 200, or no answer) per page,
and the SQL statements each page sends (counted in process on the same
database: fixed whatever the data size, which tests/portfolio/test_scale_queries.py
checks). Target (issue 13): p95 <= 300 ms, p50 <= 100 ms, 0 errors for every page.

    .venv/bin/python bench/pages.py                 # seeds once (about a minute), then measures
    .venv/bin/python bench/pages.py --seconds 20 --clients 5
    .venv/bin/python bench/pages.py --pause 1      # each client reads a page for 1 s before the next
    .venv/bin/python bench/pages.py --path /account  # one cheap signed-in page: the machine's ceiling

The issue's protocol is back to back (no pause): 20 clients then measure how
many requests a second the machine serves, since each waits for the 19 others.
``--pause`` measures what 20 people at work meet instead.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.served import csrf_token, gunicorn, signed_in  # noqa: E402

POSTGRES_SERVER = os.environ.get("GRANTFLOW_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("GRANTFLOW_BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
PASSWORD = "bench-password-1"
RANKING_FUND = "bench-ranking"


def database(name: str, size: int, seed_value: int, reseed: bool, workdir: Path) -> str:
    """The seeded database's URL (seeded now if it is missing, or with ``reseed``):
    ``size`` synthetic applications, plus a fund of 1,000 whose rounds have about
    300 applications each (the ranking page's budget is for a round of 300; the
    large fund's rounds have 8,333)."""
    import psycopg
    import sqlalchemy as sa

    from grantflow.extensions import db
    from grantflow.funds.models import Fund
    from grantflow.portfolio.synthetic import seed_synthetic

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if reseed or not exists:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://{POSTGRES_SERVER.split('://', 1)[1]}/{name}"
    app = make_app(url, workdir)
    with app.app_context():
        db.create_all()
        for slug, count, seed_number in (("synthetic", size, seed_value), (RANKING_FUND, 1_000, seed_value + 1)):
            if db.session.scalar(sa.select(Fund.id).where(Fund.slug == slug)) is None:
                started = time.perf_counter()
                seed_synthetic(count, seed=seed_number, fund_slug=slug)
                print(f"seeded {count:,} applications ({slug}) in {time.perf_counter() - started:.0f} s", flush=True)
        db.engine.dispose()
    return url


def make_app(url: str, workdir: Path):
    from grantflow import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REDIS_URL": None,
                       "EXPORT_DIR": workdir / "exports", "UPLOAD_DIR": workdir / "uploads",
                       "LETTER_DIR": workdir / "letters"})


def prepare(app, reviewers: int = 1) -> dict:
    """Who signs in (an administrator, the reviewers with the most open
    assignments, all given PASSWORD) and what the pages show."""
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from grantflow.applications.models import Application
    from grantflow.extensions import db
    from grantflow.funds.models import Fund, Round
    from grantflow.reviews.models import Review, ReviewAssignment
    from grantflow.users.models import User, UserRole

    with app.app_context():
        password_hash = generate_password_hash(PASSWORD)
        admin = db.session.scalar(sa.select(User).where(User.email == "bench-admin@synthetic.example"))
        if admin is None:
            admin = User(email="bench-admin@synthetic.example", name="Bench Admin")
            admin.grant_role("admin")
            db.session.add(admin)
        admin.password_hash = password_hash
        busiest = db.session.execute(
            sa.select(ReviewAssignment.reviewer_id, sa.func.count()).join(Application)
            .join(UserRole, sa.and_(UserRole.user_id == ReviewAssignment.reviewer_id, UserRole.role == "reviewer"))
            .where(ReviewAssignment.status == "active", Application.state.in_(("in_review", "reviews_complete")))
            .group_by(ReviewAssignment.reviewer_id).order_by(sa.func.count().desc()).limit(reviewers)).all()
        db.session.execute(sa.update(User).where(User.id.in_([r for r, _ in busiest]))
                           .values(password_hash=password_hash))
        reviewed = db.session.execute(
            sa.select(Application.round_id, sa.func.count(sa.distinct(Review.application_id)))
            .join(Review, Review.application_id == Application.id).join(Round, Round.id == Application.round_id)
            .join(Fund, Fund.id == Round.fund_id).where(Review.status == "submitted", Fund.slug == RANKING_FUND)
            .group_by(Application.round_id)).all()
        round_id, round_reviewed = min(reviewed, key=lambda row: abs(row[1] - 300))
        application_id = db.session.scalar(sa.select(Application.id).where(Application.state == "in_review")
                                           .order_by(Application.id).limit(1))
        submitted = db.session.scalars(sa.select(Application.id).where(Application.state == "submitted")
                                       .order_by(Application.id.desc()).limit(200)).all()
        emails = dict(db.session.execute(sa.select(User.id, User.email)
                                         .where(User.id.in_([r for r, _ in busiest]))).all())
        found = {"admin": admin.email, "admin_id": admin.id,
                 "reviewers": [(emails[r], r, n) for r, n in busiest], "round_id": round_id,
                 "round_reviewed": round_reviewed, "application_id": application_id, "submitted": list(submitted),
                 "applications": db.session.scalar(sa.select(sa.func.count()).select_from(Application))}
        db.session.commit()
        db.engine.dispose()
    return found


def pages(found: dict) -> dict[str, str]:
    return {
        "list, page 1": "/admin/applications",
        "list, filtered": "/admin/applications?state=submitted&us_state=TX&theme=climate",
        "list, page 50": "/admin/applications?page=50",
        "reviewer's queue": "/reviews/",
        "application's staff page": f"/admin/applications/{found['application_id']}",
        "round ranking": f"/reviews/admin/rounds/{found['round_id']}/ranking",
        "dashboard, warm": "/admin/portfolio/",
    }


def session_of(app, user_id: int) -> str:
    """A signed-in session of the user, as Flask-Login stores it (users.sessions)."""
    from grantflow.extensions import db
    from grantflow.users.models import User
    from grantflow.users.sessions import start_session

    with app.app_context():
        user = db.session.get(User, user_id)
        start_session(user)
        db.session.commit()
        return user.get_id()


def statements_per_page(app, found: dict, page_set: dict[str, str]) -> dict[str, int]:
    """SQL statements per page, in process (the dashboard's 'after a change' computes its figures)."""
    from grantflow.extensions import cache, db
    from tests.querycount import count_queries

    counts = {}
    with app.app_context():
        engine = db.engine
    for name, path in {**page_set, "dashboard after a change": "/admin/portfolio/?fresh=1"}.items():
        client = app.test_client()
        user_id = found["reviewers"][0][1] if path == "/reviews/" else found["admin_id"]
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = session_of(app, user_id), True
        assert client.get(path).status_code == 200, path
        with count_queries(engine) as statements:
            assert client.get(path).status_code == 200, path
        counts[name] = len(statements)
    with app.app_context():
        cache.clear()
    engine.dispose()
    return counts


class Timings:
    def __init__(self):
        self.samples, self.errors, self.lock = defaultdict(list), defaultdict(int), threading.Lock()

    def time(self, name: str, call, expected: int = 200):
        started = time.perf_counter()
        try:
            response = call()
            ok = response.status_code == expected
        except Exception:  # no answer in time, a reset connection
            response, ok = None, False
        with self.lock:
            self.samples[name].append(time.perf_counter() - started)
            if not ok:
                self.errors[name] += 1
        return response

    def table(self) -> list[tuple[str, int, float, float, int]]:
        rows = []
        for name, samples in self.samples.items():
            ordered = sorted(samples)
            p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
            rows.append((name, len(samples), 1000 * statistics.median(ordered), 1000 * p95, self.errors[name]))
        return rows


def warm_up(base: str, found: dict, workers: int, page_set: dict[str, str]) -> None:
    """Untimed: each page a few times, so that every worker has loaded its templates
    and the dashboard's figures exist ("warm"), as on a server that has been up a while."""
    admin = signed_in(base, found["admin"], PASSWORD)
    reviewer = signed_in(base, found["reviewers"][0][0], PASSWORD)
    for _ in range(2 * workers):
        for path in page_set.values():
            (reviewer if path == "/reviews/" else admin).get(f"{base}{path}", timeout=120)


def run_clients(base: str, found: dict, page_set: dict[str, str], clients: int, seconds: float,
                change_every: float, pause: float = 0.0) -> Timings:
    page_list = list(page_set.items())
    submitted = list(found["submitted"])
    # every client signs in before the clock starts: 40 password checks (PBKDF2, about 0.4 s of CPU
    # each) inside the measured minute would slow every page measured alongside them
    signed = [(signed_in(base, found["admin"], PASSWORD), signed_in(base, found["reviewers"][0][0], PASSWORD))
              for _ in range(clients)]
    timings, stop = Timings(), time.monotonic() + seconds

    def reader(index: int, changer: bool):
        admin, reviewer = signed[index]
        turn, next_change = index, time.monotonic()
        while time.monotonic() < stop:
            if changer and time.monotonic() >= next_change and submitted:
                next_change += change_every
                application_id = submitted.pop()
                page = admin.get(f"{base}/admin/applications/{application_id}", timeout=60).text
                version = page.split('name="version" value="', 1)[1].split('"', 1)[0]
                timings.time("change (staff move)", lambda: admin.post(
                    f"{base}/applications/{application_id}/transitions/start_screening",
                    data={"csrf_token": csrf_token(page), "version": version}, allow_redirects=False, timeout=60),
                    expected=302)
                timings.time("dashboard after a change", lambda: admin.get(f"{base}/admin/portfolio/", timeout=60))
                continue
            name, path = page_list[turn % len(page_list)]
            session = reviewer if path == "/reviews/" else admin
            timings.time(name, lambda: session.get(f"{base}{path}", timeout=60))
            turn += 1
            if pause:  # a person reading the page before the next click (not all in step)
                time.sleep(random.uniform(0.5, 1.5) * pause)

    run_together(reader, [(i, i == 0) for i in range(clients)])
    return timings


def run_together(target, argument_lists) -> None:
    """One thread per argument list, all started, then all joined."""
    threads = [threading.Thread(target=target, args=arguments) for arguments in argument_lists]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-name", default="grantflow_bench_pages")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--change-every", type=float, default=5)
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds each client waits on average (0.5-1.5x, at random) after a page before "
                        "the next (default 0: back to back)")
    parser.add_argument("--path", help="request only this page, as the administrator, instead of the budget's "
                        "pages (/account: what this machine serves of a signed-in page that does almost nothing)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grantflow-bench-") as tmp:
        workdir = Path(tmp)
        url = database(args.database_name, args.size, args.seed, args.reseed, workdir)
        app = make_app(url, workdir)
        found = prepare(app)
        page_set = {args.path: args.path} if args.path else pages(found)
        statements = statements_per_page(app, found, page_set)
        # every client signs in from 127.0.0.1: the per-address sign-in limit is for real networks
        env = {"DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "bench", "GRANTFLOW_RATE_LIMITS": "0",
               "GRANTFLOW_CACHE_PREFIX": f"grantflow-bench-{uuid.uuid4().hex[:8]}:",
               "RQ_QUEUE": f"grantflow-bench-{uuid.uuid4().hex[:8]}",
               **{f"GRANTFLOW_{kind}_DIR": str(workdir / kind.lower()) for kind in ("UPLOAD", "LETTER", "EXPORT")}}
        with gunicorn(env, workers=args.workers) as base:
            warm_up(base, found, args.workers, page_set)
            started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            load_before = os.getloadavg()
            timings = run_clients(base, found, page_set, args.clients, args.seconds, args.change_every, args.pause)
            load_after = os.getloadavg()
        drop_queue(env["RQ_QUEUE"])
    print(f"\n{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · PostgreSQL · "
          f"{found['applications']:,} applications · gunicorn {args.workers} workers · {args.clients} clients · "
          f"{args.seconds:.0f} s from {started} · pause {args.pause:g} s · load average {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after")
    served = sum(count for _, count, _, _, _ in timings.table())
    print(f"{served:,} requests, {served / args.seconds:.0f} a second (every client signed in before the clock started)")
    print(f"queue: {found['reviewers'][0][2]} open assignments; ranking: round {found['round_id']}, "
          f"{found['round_reviewed']} reviewed applications\n")
    print("| page | requests | p50 ms | p95 ms | errors | SQL statements | budget |\n|---|---|---|---|---|---|---|")
    for name, count, p50, p95, errors in timings.table():
        met = "met" if p95 <= 300 and p50 <= 100 and errors == 0 else "**missed**"
        print(f"| {name} | {count} | {p50:.0f} | {p95:.0f} | {errors} | {statements.get(name, '—')} | "
              f"{met if name in statements else '—'} |")


def drop_queue(name: str) -> None:
    """The jobs the run queued (emails of the staff moves) are this run's alone: remove them."""
    from redis import Redis
    from rq import Queue

    Queue(name, connection=Redis.from_url(REDIS_URL)).empty()


if __name__ == "__main__":
    main()
