"""Benchmark: how well each aggregator finds the best applications (issue 5).

Simulated rounds with a known true merit per application. Each round has 300
applications in 10 theme batches of similar quality (a batch's mean merit
varies), 3 reviews each, and 50 reviewers in theme panels of 5: a review
comes from the application's own panel with probability 0.8, otherwise from
any panel (so the panels are linked, as real panels share some reviewers).
A reviewer has a leniency offset; every score has noise.

    score = clip(merit + offset(reviewer) + noise, 0, 100)

For each aggregator (the raw mean, per-reviewer z-scores, GrantFlow's offset
model with its default shrinkage) it reports the share of the true top 10%
that the aggregator ranks in its own top 10%, averaged over many rounds, with
the standard error, in four settings: lenient and harsh reviewers or not,
batches of similar applications or not.

    .venv/bin/python bench/calibration.py             # 200 rounds per setting
    .venv/bin/python bench/calibration.py --rounds 50

The offset model must beat the raw mean when reviewers are biased and not
lose to it when they are not (checked at the end: exit status 1 otherwise).
Prints one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grantflow.reviews.aggregation import Score, calibrate, zscore_means  # noqa: E402

N_APPS, N_BATCHES, K = 300, 10, 3
N_PANELS, PANEL_SIZE, OWN_PANEL = 10, 5, 0.8
MERIT_SD, BATCH_SD, NOISE_SD, OFFSET_SD = 10.0, 8.0, 7.0, 8.0
TOP = N_APPS // 10

SETTINGS = {
    "biased_batches": dict(offsets=True, batches=True),
    "biased_random": dict(offsets=True, batches=False),
    "unbiased_batches": dict(offsets=False, batches=True),
    "unbiased_random": dict(offsets=False, batches=False),
}


def simulate(rng, *, offsets: bool, batches: bool):
    batch = np.repeat(np.arange(N_BATCHES), N_APPS // N_BATCHES)
    batch_means = rng.normal(0, BATCH_SD, N_BATCHES) if batches else np.zeros(N_BATCHES)
    merit = 55 + batch_means[batch] + rng.normal(0, MERIT_SD, N_APPS)
    n_reviewers = N_PANELS * PANEL_SIZE
    leniency = rng.normal(0, OFFSET_SD, n_reviewers) if offsets else np.zeros(n_reviewers)
    scores = []
    for app in range(N_APPS):
        chosen: set[int] = set()
        while len(chosen) < K:
            panel = batch[app] % N_PANELS if (batches and rng.random() < OWN_PANEL) else rng.integers(N_PANELS)
            chosen.add(int(panel * PANEL_SIZE + rng.integers(PANEL_SIZE)))
        for reviewer in chosen:
            value = merit[app] + leniency[reviewer] + rng.normal(0, NOISE_SD)
            scores.append(Score(app, reviewer, float(np.clip(value, 0, 100))))
    return merit, scores


def top_share(estimates: dict[int, float], merit: np.ndarray) -> float:
    truth = set(np.argsort(-merit)[:TOP].tolist())
    ranked = sorted(estimates, key=lambda a: -estimates[a])[:TOP]
    return len(truth & set(ranked)) / TOP


def raw_means(scores) -> dict[int, float]:
    sums: dict[int, list[float]] = {}
    for s in scores:
        sums.setdefault(s.application_id, []).append(s.score)
    return {a: sum(v) / len(v) for a, v in sums.items()}


def run(setting: dict, rounds: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    results = {"raw_mean": [], "z_score": [], "offset_model": []}
    for _ in range(rounds):
        merit, scores = simulate(rng, **setting)
        results["raw_mean"].append(top_share(raw_means(scores), merit))
        results["z_score"].append(top_share(zscore_means(scores), merit))
        results["offset_model"].append(top_share(calibrate(scores).merits, merit))
    summary = {}
    for name, values in results.items():
        values = np.array(values)
        summary[name] = round(float(values.mean()), 4)
        summary[f"{name}_se"] = round(float(values.std(ddof=1) / np.sqrt(len(values))), 4)
    # the paired difference is what decides "beats" and "does not lose"
    diff = np.array(results["offset_model"]) - np.array(results["raw_mean"])
    summary["offset_minus_raw"] = round(float(diff.mean()), 4)
    summary["offset_minus_raw_se"] = round(float(diff.std(ddof=1) / np.sqrt(len(diff))), 4)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    started = time.perf_counter()
    output = {name: run(setting, args.rounds, args.seed + i) for i, (name, setting) in enumerate(SETTINGS.items())}
    failures = []
    for name in ("biased_batches", "biased_random"):
        r = output[name]
        if not r["offset_minus_raw"] > 2 * r["offset_minus_raw_se"]:
            failures.append(f"{name}: the offset model does not beat the raw mean")
    for name in ("unbiased_batches", "unbiased_random"):
        r = output[name]
        if r["offset_minus_raw"] < -2 * r["offset_minus_raw_se"]:
            failures.append(f"{name}: the offset model loses to the raw mean")
    output.update(rounds=args.rounds, seconds=round(time.perf_counter() - started, 1), failures=failures,
                  machine=f"{os.cpu_count()} cores", load_average=[round(x, 1) for x in os.getloadavg()])
    print(json.dumps(output))
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
