"""Benchmark: optimal reviewer assignment (issue 5).

A synthetic round with a fixed seed: 2,000 applications x 300 reviewers, 3
reviewers per application, a cap of 25 per reviewer, 2% random conflicts of
interest, and topic affinities (13 themes with skewed popularity; each
application has 1-3 themes, each reviewer 1-3 areas of expertise; the match is
GrantFlow's own: the share of the application's themes the reviewer knows).

It measures
- ``seconds``: the min-cost flow solver on that problem (median of 3 runs);
- ``end_to_end_seconds``: ``grantflow assign ROUND_ID`` on the same data in a
  SQLite database: reading the round, solving, writing 6,000 assignments with
  their audit rows and one email per reviewer, committing;
- ``objective`` against ``lp_optimum`` (the same LP solved by SciPy's HiGHS;
  they must be equal) and ``greedy_objective`` (best pair first);
- plain and fair mode (``--time-limit``, default 60 s) side by side: objective,
  worst-off, the proven bounds on the worst-off and on the total at it, the
  gap, whether proven optimal, the cost of fairness, seconds; on this round
  and on a ``scarce_`` variant where reviewers' expertise ignores demand
  (``--fair-lp`` adds the plain max-min LP bound, about a minute each);
- the large case, 10,000 x 2,000 with the same k, cap and conflict rate and
  scarce experts: solver time, both modes, and peak memory, in a fresh process.

    .venv/bin/python bench/assignment.py              # everything but the fair LP bound
    .venv/bin/python bench/assignment.py --fair-lp    # plus the LP bound of the fair mode
    .venv/bin/python bench/assignment.py --large-only # the large case alone (used internally)
    .venv/bin/python bench/assignment.py --fair-only --time-limit 600  # plain against fair mode only

Prints one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grantflow.reviews.assignment import Problem, check, greedy, solve  # noqa: E402
from grantflow.reviews.fair import solve_fair  # noqa: E402
from grantflow.reviews.themes import rounded_percent  # noqa: E402

THEMES = ["climate", "trade_investment", "migration", "gender_equity", "inclusive_cities", "sdgs",
          "cybersecurity", "public_health", "exchange", "disaster_resilience", "smart_infrastructure",
          "cross_border", "democracy"]
SEED = 20261126
MAIN = dict(n_apps=2000, n_reviewers=300, k=3, cap=25, conflict_rate=0.02)
# 10,000 applications x 3 = 30,000 places; 2,000 reviewers x 25 = 50,000 places
LARGE = dict(n_apps=10_000, n_reviewers=2_000, k=3, cap=25, conflict_rate=0.02)


def generate(n_apps, n_reviewers, k, cap, conflict_rate, seed=SEED, scarce_experts=False):
    """``scarce_experts``: reviewers' expertise ignores demand (uniform over the
    themes), so popular themes run short of experts: the case fair mode is for."""
    rng = np.random.default_rng(seed)
    popularity = rng.dirichlet(np.full(len(THEMES), 0.8))
    app_themes = [sorted(rng.choice(len(THEMES), size=rng.integers(1, 4), replace=False, p=popularity).tolist())
                  for _ in range(n_apps)]
    # reviewers' expertise follows demand, less sharply than applications do
    supply = np.full(len(THEMES), 1 / len(THEMES)) if scarce_experts else (popularity + 1 / len(THEMES)) / 2
    reviewer_themes = [sorted(rng.choice(len(THEMES), size=rng.integers(1, 4), replace=False, p=supply).tolist())
                       for _ in range(n_reviewers)]
    conflicts = rng.random((n_apps, n_reviewers)) < conflict_rate
    return app_themes, reviewer_themes, conflicts, k, cap


def build_problem(app_themes, reviewer_themes, conflicts, k, cap) -> Problem:
    a = np.zeros((len(app_themes), len(THEMES)), dtype=np.int64)
    for i, themes in enumerate(app_themes):
        a[i, themes] = 1
    r = np.zeros((len(reviewer_themes), len(THEMES)), dtype=np.int64)
    for j, themes in enumerate(reviewer_themes):
        r[j, themes] = 1
    match = rounded_percent(a @ r.T, a.sum(axis=1, keepdims=True))
    return Problem(need=np.full(len(app_themes), k), capacity=np.full(len(reviewer_themes), cap),
                   match=match, allowed=~conflicts)


def lp_optimum(problem: Problem) -> float:
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    app_idx, rev_idx = np.nonzero(problem.allowed)
    n, (n_apps, n_reviewers) = len(app_idx), problem.shape
    ones = np.ones(n)
    per_app = coo_matrix((ones, (app_idx, np.arange(n))), shape=(n_apps, n)).tocsr()
    per_reviewer = coo_matrix((ones, (rev_idx, np.arange(n))), shape=(n_reviewers, n)).tocsr()
    result = linprog(-problem.match[app_idx, rev_idx].astype(float), A_ub=per_reviewer, b_ub=problem.capacity,
                     A_eq=per_app, b_eq=problem.need, bounds=(0, 1), method="highs")
    assert result.status == 0, result.message
    return -result.fun


def fair_lp_bound(problem: Problem) -> float:
    """max t such that a fractional assignment gives every application >= t."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, csr_matrix, hstack, vstack

    app_idx, rev_idx = np.nonzero(problem.allowed)
    n, (n_apps, n_reviewers) = len(app_idx), problem.shape
    ones = np.ones(n)
    per_app = coo_matrix((ones, (app_idx, np.arange(n))), shape=(n_apps, n))
    per_reviewer = coo_matrix((ones, (rev_idx, np.arange(n))), shape=(n_reviewers, n))
    totals = coo_matrix((-problem.match[app_idx, rev_idx].astype(float), (app_idx, np.arange(n))),
                        shape=(n_apps, n))
    a_ub = vstack([hstack([per_reviewer, csr_matrix((n_reviewers, 1))]),
                   hstack([totals, np.ones((n_apps, 1))])]).tocsr()
    a_eq = hstack([per_app, csr_matrix((n_apps, 1))]).tocsr()
    cost = np.zeros(n + 1)
    cost[-1] = -1
    result = linprog(cost, A_ub=a_ub, b_ub=np.concatenate([problem.capacity, np.zeros(n_apps)]), A_eq=a_eq,
                     b_eq=problem.need, bounds=[(0, 1)] * n + [(0, None)], method="highs")
    assert result.status == 0, result.message
    return -result.fun


def timed_solve(problem: Problem, repeats: int = 3):
    """Median wall and CPU seconds: on a shared machine the CPU time is what
    the solver costs, the wall time what the load made of it."""
    walls, cpus, solution = [], [], None
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        solution = solve(problem)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return float(np.median(walls)), float(np.median(cpus)), solution


def fair_numbers(problem: Problem, prefix: str, with_lp: bool, time_limit: float) -> dict:
    """Plain and fair mode side by side: objective, worst-off, proven bounds, gap, seconds."""
    started = time.perf_counter()
    plain = solve(problem)
    plain_seconds = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    fair = solve_fair(problem, time_limit=time_limit)
    fair_cpu = time.process_time() - cpu
    numbers = {
        # the plain optimum is exact for its own objective (the flow LP is integral): bound = objective
        "plain_objective": plain.objective, "plain_worst_off": fair.plain_worst_off,
        "plain_seconds": round(plain_seconds, 2),
        "fair_worst_off": fair.worst_off, "fair_worst_off_bound": fair.worst_off_bound,
        "fair_objective": fair.total, "fair_total_bound": fair.total_bound,
        "fair_gap_percent": round(fair.gap_percent, 4), "fair_optimal": fair.is_optimal,
        "fair_cost_percent": round(fair.cost_of_fairness_percent, 2), "fair_iterations": fair.iterations,
        "fair_seconds": round(time.perf_counter() - started, 2), "fair_cpu_seconds": round(fair_cpu, 2),
        "fair_time_limit": time_limit,
    }
    assert not check(problem, fair.solution) and fair.solution.assigned == plain.assigned
    if with_lp:
        started = time.perf_counter()
        numbers["fair_lp_bound"] = round(fair_lp_bound(problem), 2)
        numbers["fair_lp_seconds"] = round(time.perf_counter() - started, 1)
    return {f"{prefix}{key}": value for key, value in numbers.items()}


def end_to_end(app_themes, reviewer_themes, conflicts, k, cap) -> dict:
    """Seed a SQLite database with the same round, then time ``grantflow assign``."""
    from datetime import timedelta

    from sqlalchemy import func, insert, select

    from grantflow import create_app
    from grantflow.applications.models import Application
    from grantflow.cli import cli
    from grantflow.core.db import utcnow
    from grantflow.extensions import db
    from grantflow.funds.models import Fund, Round
    from grantflow.organisations.models import Organisation
    from grantflow.reviews.models import ReviewAssignment, ReviewerProfile
    from grantflow.users.models import User, UserRole

    workdir = Path(tempfile.mkdtemp(prefix="bench-assign-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite'}", "SECRET_KEY": "bench",
                      "REDIS_URL": None, "MAIL_SERVER": None})
    states = ["IA", "TX", "CA", "NY", "OR", "GA", "MN", "AZ"]
    with app.app_context():
        db.create_all()
        now = utcnow()
        fund = Fund(slug="bench", name="Bench fund", funder_name="Bench office")
        db.session.add(fund)
        db.session.flush()
        round_ = Round(fund=fund, name="Bench round", opens_at=now - timedelta(days=60),
                       closes_at=now - timedelta(days=1), workflow_key="local_to_global", workflow_version=1,
                       form_key="local_to_global", rubric_key="local_to_global", reviews_per_application=k)
        db.session.add(round_)
        db.session.flush()
        n_apps, n_reviewers = len(app_themes), len(reviewer_themes)
        db.session.execute(insert(Organisation), [
            {"id": i + 1, "name": f"City {i + 1}", "applicant_type": "C", "state": states[i % len(states)],
             "created_at": now, "updated_at": now} for i in range(n_apps)])
        db.session.execute(insert(Application), [
            {"id": i + 1, "round_id": round_.id, "organisation_id": i + 1, "workflow_key": "local_to_global",
             "workflow_version": 1, "state": "in_review", "form_key": "local_to_global", "form_version": 1,
             "answers": {}, "title": f"Project {i + 1}", "amount_requested_cents": 5_000_000,
             "themes": [THEMES[t] for t in app_themes[i]], "version": 1, "created_at": now, "updated_at": now,
             "state_changed_at": now} for i in range(n_apps)])
        db.session.execute(insert(User), [
            {"id": j + 1, "email": f"reviewer{j + 1}@bench.example", "name": f"Reviewer {j + 1}",
             "password_hash": "x", "is_active_account": True, "created_at": now, "updated_at": now}
            for j in range(n_reviewers)])
        db.session.execute(insert(UserRole), [{"user_id": j + 1, "role": "reviewer"} for j in range(n_reviewers)])
        db.session.execute(insert(ReviewerProfile), [
            {"user_id": j + 1, "expertise_themes": [THEMES[t] for t in reviewer_themes[j]],
             "conflicted_states": [], "max_applications_per_round": cap, "conflict_notes": "",
             "conflicted_organisation_ids": (np.flatnonzero(conflicts[:, j]) + 1).tolist(),
             "created_at": now, "updated_at": now} for j in range(n_reviewers)])
        db.session.commit()
        round_id = round_.id

    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(cli, ["assign", str(round_id)])
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.execute(select(func.count(), func.sum(ReviewAssignment.match_score))).one()
        db.engine.dispose()
    return {"end_to_end_seconds": seconds, "stored_assignments": stored[0], "stored_objective": int(stored[1]),
            "cli_output": result.output.strip().splitlines()[0]}


def large_only(time_limit: float) -> dict:
    """The large case in its own process (peak memory), plain then fair mode."""
    data = generate(**LARGE, scarce_experts=True)
    problem = build_problem(*data)
    del data
    started, cpu = time.perf_counter(), time.process_time()
    solution = solve(problem)
    numbers = {"large_seconds": time.perf_counter() - started, "large_cpu_seconds": time.process_time() - cpu,
               "large_objective": solution.objective, "large_assigned": solution.assigned}
    del solution
    numbers.update(fair_numbers(problem, "large_", False, time_limit))
    numbers["large_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large-only", action="store_true")
    parser.add_argument("--fair-lp", action="store_true", help="also solve the fair mode's LP bound (slow)")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--time-limit", type=float, default=60.0, help="fair mode's time limit (seconds)")
    parser.add_argument("--fair-only", action="store_true", help="only plain against fair mode on the two rounds")
    args = parser.parse_args()
    if args.fair_only:
        result = {}
        for prefix, scarce in (("", False), ("scarce_", True)):
            result.update(fair_numbers(build_problem(*generate(**MAIN, scarce_experts=scarce)), prefix, False,
                                       args.time_limit))
        print(json.dumps({**result, "load_average": [round(x, 1) for x in os.getloadavg()]}))
        return
    if args.large_only:
        print(json.dumps(large_only(args.time_limit)))
        return

    data = generate(**MAIN)
    problem = build_problem(*data)
    seconds, cpu_seconds, solution = timed_solve(problem)
    assert solution.assigned == problem.need.sum(), "the benchmark round must be feasible"
    started = time.perf_counter()
    lp = lp_optimum(problem)
    lp_seconds = time.perf_counter() - started
    assert abs(lp - solution.objective) < 1e-6, (lp, solution.objective)
    started = time.perf_counter()
    baseline = greedy(problem)
    greedy_seconds = time.perf_counter() - started
    result = {
        "seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds, 3), "objective": solution.objective,
        "lp_optimum": lp, "greedy_objective": baseline.objective, "greedy_assigned": baseline.assigned,
        "greedy_gap_percent": round(100 * (solution.objective - baseline.objective) / solution.objective, 2),
        "lp_seconds": round(lp_seconds, 2), "greedy_seconds": round(greedy_seconds, 2),
    }
    result.update(fair_numbers(problem, "", args.fair_lp, args.time_limit))
    scarce = build_problem(*generate(**MAIN, scarce_experts=True))
    result.update(fair_numbers(scarce, "scarce_", args.fair_lp, args.time_limit))
    e2e = end_to_end(*data)
    assert e2e["stored_objective"] == solution.objective and e2e["stored_assignments"] == solution.assigned
    result["end_to_end_seconds"] = round(e2e["end_to_end_seconds"], 2)
    result["cli_output"] = e2e["cli_output"]
    if not args.skip_large:
        child = subprocess.run([sys.executable, __file__, "--large-only", "--time-limit", str(args.time_limit)],
                               capture_output=True, text=True, check=True)
        large = json.loads(child.stdout.strip().splitlines()[-1])
        result.update({key: round(value, 2) if isinstance(value, float) else value for key, value in large.items()})
    result.update({"machine": f"{os.cpu_count()} cores, {platform.python_version()}",
                   "load_average": [round(x, 1) for x in os.getloadavg()]})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
