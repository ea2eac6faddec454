"""Benchmark: portfolio exports at 10,000 and 100,000 applications.

For each size it seeds a fresh database with ``grantflow seed --synthetic N`` and
measures, each in a fresh process so peaks do not carry over:

- the plain SELECT: the CSV export's own SQL (and the 360Giving export's) run
  through the same driver (raw DBAPI cursor, every row fetched, nothing done);
- each export's wall time, written to a temporary file;
- each export's peak memory: the process's peak RSS, and the peak of Python
  allocations under tracemalloc (a separate run, since tracemalloc slows Python).

Targets (issue 8): CSV <= 2x its plain SELECT, 360Giving JSON <= 3x its plain
SELECT, and peak memory at 100,000 <= 1.2x the peak at 10,000.

    .venv/bin/python bench/exports.py                        # SQLite, 10k and 100k
    .venv/bin/python bench/exports.py --postgres             # PostgreSQL (database grantflow_bench)
    .venv/bin/python bench/exports.py --sizes 2000,20000 --formats csv

Prints one JSON line per (size, format) and a Markdown table for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES_SERVER = os.environ.get("GRANTFLOW_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
SELECT_OF = {"csv": "rows", "xlsx": "rows", "360giving": "grants", "360giving-xlsx": "grants"}


def make_app(database_url: str, export_dir: str):
    from grantflow import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "EXPORT_DIR": Path(export_dir),
                       "SECRET_KEY": "bench", "REDIS_URL": None})


def fresh_database(kind: str, workdir: Path, size: int, *, reuse: bool = False) -> str:
    """A database for ``size`` applications; with ``reuse``, one seeded by an earlier run is kept."""
    if kind == "sqlite":
        path = workdir / f"bench-{size}.sqlite"
        if path.exists() and not reuse:
            path.unlink()
        return f"sqlite:///{path}"
    import psycopg

    name = f"grantflow_bench_{size}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not (reuse and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{POSTGRES_SERVER.split('://', 1)[1]}/{name}"


def seed(database_url: str, workdir: Path, size: int, seed_value: int) -> float | None:
    """Seed ``size`` synthetic applications (None when the database already has them)."""
    import sqlalchemy as sa

    from grantflow.applications.models import Application
    from grantflow.extensions import db
    from grantflow.portfolio.synthetic import seed_synthetic

    app = make_app(database_url, str(workdir))
    with app.app_context():
        db.create_all()
        if db.session.scalar(sa.select(sa.func.count(Application.id))) == size:
            db.engine.dispose()
            return None
        started = time.perf_counter()
        seed_synthetic(size, seed=seed_value)
        seconds = time.perf_counter() - started
        db.engine.dispose()
    return seconds


def child(args) -> dict:
    """One measurement in this (fresh) process; printed as JSON."""
    import resource
    import tracemalloc

    from grantflow.extensions import db
    from grantflow.portfolio.exports import run_export
    from grantflow.portfolio.filters import PortfolioFilters

    app = make_app(args.database, args.workdir)
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connect before measuring
        if args.tracemalloc:
            tracemalloc.start()
        started = time.perf_counter()
        if args.measure == "select":
            rows = plain_select(args.format)
            result = {"rows": rows}
        elif args.measure == "calibration":
            result = {"rows": check_calibrations()}
        elif args.measure == "refit":
            result = {"rows": refit_every_round()}
        else:
            out = Path(args.workdir) / f"out.{args.format}"
            result = {"rows": run_export(args.format, out, PortfolioFilters()).rows, "bytes": out.stat().st_size}
            out.unlink()
        result["seconds"] = time.perf_counter() - started
        if args.tracemalloc:
            result["python_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def plain_select(format_name: str) -> int:
    """The export's SELECTs through the raw DBAPI cursor: every row fetched, nothing else.

    For csv and xlsx that is the rows query, which joins in the stored calibrated
    scores (the export first checks, in one grouped query, that they are up to date:
    that check is timed separately as "calibration check")."""
    from grantflow.extensions import db
    from grantflow.portfolio.exports.giving import grants_select
    from grantflow.portfolio.filters import PortfolioFilters
    from grantflow.portfolio.rows import columns_for, rows_select

    filters = PortfolioFilters()
    statements = []
    if SELECT_OF[format_name] == "rows":
        statements.append(rows_select(filters, columns_for(staff=True)))
    else:
        statements.append(grants_select(filters, with_metrics=format_name == "360giving-xlsx"))
    count = 0
    connection = db.engine.raw_connection()
    try:
        for stmt in statements:
            # every value inline: the driver gets one plain SQL string
            sql = str(stmt.compile(dialect=db.engine.dialect,
                                   compile_kwargs={"literal_binds": True, "render_postcompile": True}))
            cursor = connection.cursor()
            cursor.execute(sql)
            while True:
                batch = cursor.fetchmany(2000)
                if not batch:
                    break
                count += len(batch)
            cursor.close()
        return count
    finally:
        connection.close()


def check_calibrations() -> int:
    """What a csv/xlsx export does about calibrated scores besides reading them:
    check that every round's stored fit is up to date (it refits any that is not)."""
    from grantflow.portfolio.calibration import RoundCalibrations

    stale = RoundCalibrations().stale
    if stale:
        raise SystemExit(f"rounds {sorted(stale)} have no up-to-date stored calibration: the export would refit them")
    return 0


def refit_every_round() -> int:
    """Refitting and storing every round (what the refit jobs cost; not part of an export)."""
    from grantflow.extensions import db
    from grantflow.funds.models import Round
    from grantflow.reviews.calibration_store import store_round

    rounds = db.session.scalars(db.select(Round)).all()
    for round_ in rounds:
        store_round(round_)
    db.session.rollback()
    return len(rounds)


def run_child(database: str, workdir: Path, measure: str, fmt: str, trace: bool = False) -> dict:
    command = [sys.executable, __file__, "--child", "--database", database, "--workdir", str(workdir),
               "--measure", measure, "--format", fmt] + (["--tracemalloc"] if trace else [])
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--formats", default="csv,360giving,xlsx,360giving-xlsx")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement (the median is kept)")
    parser.add_argument("--keep", help="a folder to keep the seeded databases in and reuse on the next run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return
    kind = "postgresql" if args.postgres else "sqlite"
    formats = args.formats.split(",")
    results = []
    with tempfile.TemporaryDirectory(prefix="grantflow-bench-") as tmp:
        workdir = Path(args.keep or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for size in [int(s) for s in args.sizes.split(",")]:
            database = fresh_database(kind, workdir, size, reuse=bool(args.keep))
            seeded = seed(database, workdir, size, args.seed)
            print(json.dumps({"database": kind, "size": size,
                              "seed_seconds": round(seeded, 1) if seeded is not None else "reused"}), flush=True)
            for fmt in formats:
                select_runs = [run_child(database, workdir, "select", fmt) for _ in range(args.repeat)]
                export_runs = [run_child(database, workdir, "export", fmt) for _ in range(args.repeat)]
                traced = run_child(database, workdir, "export", fmt, trace=True)
                fits = refits = None
                if SELECT_OF[fmt] == "rows":
                    fits = sorted(run_child(database, workdir, "calibration", fmt)["seconds"]
                                  for _ in range(args.repeat))[args.repeat // 2]
                    refits = run_child(database, workdir, "refit", fmt)["seconds"]
                select_s = sorted(r["seconds"] for r in select_runs)[args.repeat // 2]
                export_s = sorted(r["seconds"] for r in export_runs)[args.repeat // 2]
                row = {"database": kind, "size": size, "format": fmt, "rows": export_runs[0]["rows"],
                       "select_seconds": round(select_s, 3), "export_seconds": round(export_s, 3),
                       "ratio": round(export_s / select_s, 2),
                       "calibration_check_seconds": round(fits, 3) if fits is not None else None,
                       "refit_all_rounds_seconds": round(refits, 3) if refits is not None else None,
                       "peak_rss_mb": round(max(r["peak_rss_mb"] for r in export_runs), 1),
                       "python_peak_mb": round(traced["python_peak_mb"], 1)}
                results.append(row)
                print(json.dumps(row), flush=True)
            if kind == "postgresql":
                from sqlalchemy import create_engine

                create_engine(database).dispose()
    print_table(results)


def print_table(results: list[dict]) -> None:
    sizes = sorted({r["size"] for r in results})
    print(f"\n{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}\n")
    print("| database | format | N | rows | plain SELECT s | export s | ratio | of which calibration check s "
          "| peak RSS MB | Python peak MB | refit all rounds s (jobs, not export) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        fits, refits = r.get("calibration_check_seconds"), r.get("refit_all_rounds_seconds")
        print(f"| {r['database']} | {r['format']} | {r['size']:,} | {r['rows']:,} | {r['select_seconds']} | "
              f"{r['export_seconds']} | {r['ratio']}x | {fits if fits is not None else '—'} | "
              f"{r['peak_rss_mb']} | {r['python_peak_mb']} | {refits if refits is not None else '—'} |")
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for fmt in sorted({r["format"] for r in results}):
            a = next((r for r in results if r["format"] == fmt and r["size"] == small), None)
            b = next((r for r in results if r["format"] == fmt and r["size"] == large), None)
            if a and b:
                print(f"- {fmt}: peak RSS {large:,}/{small:,} = {b['peak_rss_mb'] / a['peak_rss_mb']:.2f}x, "
                      f"Python peak {b['python_peak_mb'] / max(a['python_peak_mb'], 0.1):.2f}x")


if __name__ == "__main__":
    main()
