"""Benchmark: generated letters.

1. Per letter: GrantFlow's renderer against bare WeasyPrint on the same HTML.
   For each of N award letters (2 pages, tables, page counters), interleaved
   and repeated, it times
   - ``bare``: ``weasyprint.HTML(string=html, base_url=folder).write_pdf()``
     with WeasyPrint's default URL fetcher, on the HTML our template produced;
   - ``render_pdf``: ``grantflow.core.pdf.render_pdf`` from the template
     folder: sandboxed Jinja, plain-value check, restricted URL fetcher,
     WeasyPrint (what the issue's target is about: at most 1.15x bare);
   - ``job``: the whole letter job run in-process (``request_letter`` +
     ``jobs.execute``): context read from the database, rendering, file written
     atomically, SHA-256, job and letter rows committed.
   Reports medians per letter and the ratios to bare.

2. Throughput: 200 letters of a round rendered by 1 RQ worker, then by 2, each
   a ``grantflow worker`` process on real Redis and a shared database
   (PostgreSQL when reachable, else SQLite). Workers are started and idle
   before the batch is queued, so the time is from queueing the batch to its
   last letter finished (worker start-up is not counted). Target: 2 workers at
   least 1.7x faster than 1.

    .venv/bin/python bench/letters.py                    # both parts
    .venv/bin/python bench/letters.py --letters 20 --batch 200 --skip-workers
    .venv/bin/python bench/letters.py --letters 5 --repeats 1 --pairs 2   # workers twice

The load average is printed with the results: on a shared machine it matters.
Prints one JSON line, then a Markdown row for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES_SERVER = os.environ.get("GRANTFLOW_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("GRANTFLOW_BENCH_REDIS", "redis://127.0.0.1:6379/0")
DATABASE_NAME = "grantflow_bench_letters"


def database_url(workdir: Path, use_postgres: bool) -> str:
    if not use_postgres:
        return f"sqlite:///{workdir / 'letters.sqlite'}"
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}"')
        conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return f"postgresql+psycopg://{POSTGRES_SERVER.split('://', 1)[1]}/{DATABASE_NAME}"


def postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=2).close()
        return True
    except Exception:
        return False


def make_app(url: str, workdir: Path):
    from grantflow import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REDIS_URL": None,
                       "LETTER_DIR": workdir / "letters", "MAIL_SERVER": None})


def seed(count: int):
    """A fund, a round and ``count`` awarded applications (terms recorded through the operations)."""
    from grantflow.applications.models import Application
    from grantflow.awards.operations import AwardTerms, TrancheTerms, record_award_terms
    from grantflow.core import outbox
    from grantflow.core.db import utcnow
    from grantflow.extensions import db
    from grantflow.funds.models import Fund, Round
    from grantflow.organisations.models import Organisation
    from grantflow.users.models import User

    admin = User(email="bench-admin@example.gov", name="Bench Admin")
    admin.grant_role("admin")
    fund = Fund(slug="bench", name="Local-to-Global Engagement Fund", funder_name="Office of City and State Diplomacy",
                funder_address="2201 C Street NW\nWashington, DC 20520")
    now = utcnow()
    round_ = Round(fund=fund, name="Bench round", opens_at=now.replace(year=now.year - 1), closes_at=now,
                   workflow_key="local_to_global", workflow_version=1, form_key="local_to_global")
    db.session.add_all([admin, fund, round_])
    terms = AwardTerms(amount_cents=7_500_000, period_start=date(2026, 7, 1), period_end=date(2028, 6, 30),
                       conditions="Acknowledge the Office of City and State Diplomacy in public materials.\n\n"
                                  "Share results with the Local-to-Global practitioners' network.\n\n"
                                  "Report the metrics in the application every six months.",
                       co_funders=(("Heartland Community Foundation", 1_500_000),),
                       tranches=(TrancheTerms("First payment", "acceptance", Decimal(50)),
                                 TrancheTerms("Second payment", "interim_report", Decimal(40)),
                                 TrancheTerms("Final payment", "final_report", Decimal(10))))
    applications = []
    for n in range(count):
        organisation = Organisation(name=f"City of Benchmark {n}", applicant_type="C", state="IA",
                                    address=f"{100 + n} Main Street\nBenchmark, IA 50{n % 1000:03d}")
        application = Application(round=round_, organisation=organisation, workflow_key="local_to_global",
                                  workflow_version=1, state="reviews_complete", form_key="local_to_global",
                                  form_version=1, title=f"Sister-city exchange {n}", amount_requested_cents=8_000_000,
                                  answers={"representative_name": f"Mayor Number {n}", "representative_title": "Mayor"})
        db.session.add(application)
        db.session.flush()
        record_award_terms(application, admin, terms)
        applications.append(application)
    outbox.commit()
    return admin, round_, applications


def time_per_letter(app, applications, admin, repeats: int) -> dict:
    from weasyprint import CSS, HTML

    from grantflow.awards.context import letter_context
    from grantflow.awards.letters import COMMON_FOLDER, letter_stylesheets, letters_root, request_letter, template_dir
    from grantflow.core import jobs, outbox
    from grantflow.core.pdf import load_metadata, render_html, render_pdf
    from grantflow.extensions import db

    folder = template_dir("award")
    include = [letters_root() / COMMON_FOLDER]
    sheets = letter_stylesheets(folder)
    # one letter row per application gives each a real context; the HTML is what both sides lay out
    prepared = []
    for application in applications:
        letter = request_letter(application, "award", admin, dispatch=False)
        prepared.append((letter, letter_context(letter, load_metadata(folder))))
    outbox.commit()
    HTML(string="<p>warm</p>").write_pdf()
    render_pdf(folder, prepared[0][1], include_dirs=include, stylesheets=sheets)
    bare, ours, job = [], [], []
    base_url = folder.resolve().as_uri() + "/"
    for repeat in range(repeats):
        for index, (letter, context) in enumerate(prepared):
            html = render_html(folder, context, include_dirs=include)
            # alternate which goes first, so neither profits from the other's warm caches
            order = ("bare", "ours") if (repeat + index) % 2 == 0 else ("ours", "bare")
            for which in order:
                t = time.perf_counter()
                if which == "bare":
                    HTML(string=html, base_url=base_url).write_pdf(
                        stylesheets=[CSS(filename=str(sheet)) for sheet in sheets])
                    bare.append(time.perf_counter() - t)
                else:
                    render_pdf(folder, context, include_dirs=include, stylesheets=sheets)
                    ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            again = request_letter(letter.application, "award", admin, dispatch=False)
            outbox.commit()
            jobs.execute(again.job_id)
            job.append(time.perf_counter() - t)
    db.session.expire_all()
    median_bare, median_ours, median_job = (statistics.median(x) for x in (bare, ours, job))
    return {"letters": len(bare), "bare_ms": round(1000 * median_bare, 1),
            "render_pdf_ms": round(1000 * median_ours, 1), "job_ms": round(1000 * median_job, 1),
            "render_pdf_ratio": round(median_ours / median_bare, 3), "job_ratio": round(median_job / median_bare, 3)}


def start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    grantflow = Path(sys.executable).parent / "grantflow"
    return [subprocess.Popen([str(grantflow), "worker"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True) for _ in range(count)]


def wait_until_listening(queue_name: str, count: int, timeout: float = 120) -> None:
    from redis import Redis
    from rq import Queue, Worker

    connection = Redis.from_url(REDIS_URL)
    queue = Queue(queue_name, connection=connection)
    deadline = time.time() + timeout
    while len(Worker.all(queue=queue)) < count:
        if time.time() > deadline:
            raise RuntimeError(f"{count} workers did not start within {timeout} s")
        time.sleep(0.2)
    time.sleep(1.0)  # they are registered; let them finish preparing (prepare_worker) and block on the queue


def children_cpu_seconds() -> float:
    """CPU time of the worker processes (and the job processes they forked), once waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_batch(app, round_, workers: int, url: str, workdir: Path) -> dict:
    from grantflow.awards.letters import batch_progress, start_round_letters
    from grantflow.awards.models import LetterBatch
    from grantflow.core import outbox
    from grantflow.extensions import db

    queue_name = f"grantflow-bench-letters-{os.getpid()}-{workers}"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "RQ_QUEUE": queue_name,
           "SECRET_KEY": "bench", "GRANTFLOW_LETTER_DIR": str(workdir / "letters")}
    cpu_before = children_cpu_seconds()
    processes = start_workers(workers, env)
    try:
        wait_until_listening(queue_name, workers)
        app.config.update(REDIS_URL=REDIS_URL, RQ_QUEUE=queue_name)
        started = time.perf_counter()
        batch = start_round_letters(round_, None, send=False)
        batch_id = batch.id
        outbox.commit()
        while True:
            db.session.expire_all()
            progress = batch_progress(db.session.get(LetterBatch, batch_id))
            if progress["is_finished"]:
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        if progress["failed"]:
            raise RuntimeError(f"{progress['failed']} letters failed")
    finally:
        app.config.update(REDIS_URL=None)
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
    # CPU includes the workers' start-up, the same for each worker: a check on
    # how much of the machine the letters really got, not part of the timing
    return {"workers": workers, "seconds": round(elapsed, 2), "load": round(os.getloadavg()[0], 1),
            "cpu_seconds": round(children_cpu_seconds() - cpu_before, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=20, help="letters in the per-letter comparison")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=200, help="letters in the worker comparison")
    parser.add_argument("--pairs", type=int, default=1, help="how many times to run 1 then 2 workers")
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even if PostgreSQL is reachable")
    args = parser.parse_args()

    from grantflow.extensions import db

    result = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
              "python": platform.python_version(), "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        use_postgres = not args.sqlite and postgres_reachable()
        url = database_url(workdir, use_postgres)
        result["database"] = "postgresql" if use_postgres else "sqlite"
        app = make_app(url, workdir)
        with app.app_context():
            db.create_all()
            admin, round_, applications = seed(max(args.letters, args.batch if not args.skip_workers else 0))
            result.update(time_per_letter(app, applications[:args.letters], admin, args.repeats))
            if not args.skip_workers:
                from redis import Redis

                Redis.from_url(REDIS_URL).ping()
                # the round has one decided application per batch letter; 1 then 2 workers,
                # ``--pairs`` times, so a change in the machine's load hits both alike
                runs = []
                for _ in range(args.pairs):
                    runs.append(time_batch(app, round_, 1, url, workdir))
                    runs.append(time_batch(app, round_, 2, url, workdir))
                ones = [r["seconds"] for r in runs if r["workers"] == 1]
                twos = [r["seconds"] for r in runs if r["workers"] == 2]
                one, two = statistics.median(ones), statistics.median(twos)
                result.update({"batch_letters": args.batch, "one_worker_s": round(one, 2),
                               "two_workers_s": round(two, 2), "speedup": round(one / two, 3),
                               "speedups": [round(a / b, 3) for a, b in zip(ones, twos)], "runs": runs})
            db.session.remove()
            db.engine.dispose()
    result["load_after"] = os.getloadavg()[0]
    print(json.dumps(result))
    print(f"| {result['date']} | {result['machine']} | {result['database']} | {result['bare_ms']} ms | "
          f"{result['render_pdf_ms']} ms ({result['render_pdf_ratio']}x) | {result['job_ms']} ms "
          f"({result['job_ratio']}x) | "
          + (f"{result['one_worker_s']} s | {result['two_workers_s']} s ({result['speedup']}x) | "
             if "speedup" in result else "- | - | ")
          + f"{result['load_before']:.1f} / {result['load_after']:.1f} |")


if __name__ == "__main__":
    main()
