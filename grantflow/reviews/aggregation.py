"""Turning reviews into a ranking (pure functions: no database).

Per application: the raw mean of the weighted scores (0-100), the standard
deviation, the count, the recommendation tally, a disagreement flag and an
NIH-style percentile within the round.

Calibration: reviewers differ in leniency, and when each reviewer sees a
different subset of applications the raw mean rewards applications that drew
lenient reviewers. The model, fitted by least squares over the whole round,
is

    score(review) = merit(application) + offset(reviewer) + noise

with the offsets summing to zero and a ridge penalty that pulls the offset of
a reviewer with few reviews toward zero (a reviewer with n reviews keeps
roughly n / (n + shrinkage) of their apparent leniency). The shrinkage is
estimated from the round (empirical Bayes: noise variance over the variance of
the true offsets), so a panel of equally lenient reviewers gets the raw mean
back. The calibrated score is the merit. Unlike per-reviewer z-scores, this does not assume every
reviewer saw an average batch: a reviewer who drew only strong applications
is not marked down for it, because the other reviewers of those applications
show they are strong.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from math import sqrt

import numpy as np

DEFAULT_SHRINKAGE = 2.0       # in reviews' worth, when the round is too small to estimate it
MIN_SHRINKAGE, MAX_SHRINKAGE = 0.1, 1000.0
DEFAULT_DISAGREEMENT = 30.0   # points between the highest and the lowest score of an application
Z_95 = 1.96
MIN_RESIDUAL_DOF = 5


@dataclass(frozen=True)
class Score:
    """One submitted review."""

    application_id: int
    reviewer_id: int
    score: float            # weighted score 0-100
    recommendation: str | None = None


@dataclass
class ApplicationStats:
    application_id: int
    count: int
    mean: float
    sd: float | None                 # sample standard deviation (n - 1); None for one review
    low: float
    high: float
    tally: dict[str, int] = field(default_factory=dict)
    disagreement: bool = False
    percentile: int | None = None    # 1 is the best of the round (NIH style: lower is better)
    calibrated: float | None = None
    calibrated_se: float | None = None


@dataclass
class Calibration:
    merits: dict[int, float]
    offsets: dict[int, float]
    counts: dict[int, int]
    standard_errors: dict[int, float | None]
    sigma: float | None
    shrinkage: float = DEFAULT_SHRINKAGE


def summarise(scores: list[Score], *, disagreement_threshold: float = DEFAULT_DISAGREEMENT
              ) -> dict[int, ApplicationStats]:
    by_app: dict[int, list[Score]] = defaultdict(list)
    for s in scores:
        by_app[s.application_id].append(s)
    stats = {}
    for app_id, items in by_app.items():
        values = [s.score for s in items]
        n = len(values)
        mean = sum(values) / n
        sd = sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else None
        stats[app_id] = ApplicationStats(
            application_id=app_id, count=n, mean=mean, sd=sd, low=min(values), high=max(values),
            tally=dict(Counter(s.recommendation for s in items if s.recommendation)),
            disagreement=n > 1 and max(values) - min(values) >= disagreement_threshold,
        )
    for app_id, percentile in nih_percentiles({a: s.mean for a, s in stats.items()}).items():
        stats[app_id].percentile = percentile
    return stats


def nih_percentiles(values: dict[int, float]) -> dict[int, int]:
    """Percentile = 100 x (rank - 0.5) / N, rounded half up, rank 1 the best
    (highest score); tied applications share the average of their ranks."""
    ordered = sorted(values.items(), key=lambda kv: -kv[1])
    n = len(ordered)
    result = {}
    position = 0
    while position < n:
        end = position
        while end + 1 < n and ordered[end + 1][1] == ordered[position][1]:
            end += 1
        rank = (position + 1 + end + 1) / 2
        percentile = int(100 * (rank - 0.5) / n + 0.5)
        for app_id, _ in ordered[position:end + 1]:
            result[app_id] = max(percentile, 1)
        position = end + 1
    return result


def calibrate(scores: list[Score], *, shrinkage: float | None = None) -> Calibration:
    """Least-squares merits and reviewer offsets (see the module docstring).

    ``shrinkage`` None (the default) estimates it from the round itself
    (empirical Bayes): the noise variance over the variance of the true
    offsets. When the reviewers barely differ, the offsets shrink to nothing
    and the calibrated score is the raw mean; when they differ a lot, little
    shrinkage is applied. Too small a round to estimate it uses
    ``DEFAULT_SHRINKAGE``."""
    if not scores:
        return Calibration({}, {}, {}, {}, None, DEFAULT_SHRINKAGE)
    if shrinkage is None:
        shrinkage = estimate_shrinkage(scores)
    return _fit(scores, shrinkage)


def estimate_shrinkage(scores: list[Score]) -> float:
    """sigma^2 / tau^2 from an almost unshrunk fit: tau^2, the spread of the
    true offsets, is the spread of the fitted offsets less their sampling
    variance (sigma^2 / reviews)."""
    first = _fit(scores, MIN_SHRINKAGE)
    if first.sigma is None or len(first.offsets) < 3:
        return DEFAULT_SHRINKAGE
    offsets = np.array([first.offsets[r] for r in first.counts])
    # an offset is measured against the co-reviewers of the same applications,
    # whose mean is itself noisy: with k reviews per application the sampling
    # variance of an offset from n reviews is about sigma^2 / n x k / (k - 1)
    per_app = Counter(s.application_id for s in scores)
    inflation = np.mean([k / (k - 1) for k in per_app.values() if k > 1]) if any(
        k > 1 for k in per_app.values()) else 1.0
    sampling = inflation * np.mean([first.sigma ** 2 / n for n in first.counts.values()])
    tau2 = float(offsets.var()) - float(sampling)
    if tau2 <= 0:
        return MAX_SHRINKAGE
    return float(min(max(first.sigma ** 2 / tau2, MIN_SHRINKAGE), MAX_SHRINKAGE))


def _fit(scores: list[Score], shrinkage: float) -> Calibration:
    from scipy.sparse import coo_matrix  # here: the app imports this module, and SciPy takes a while
    from scipy.sparse.linalg import lsqr

    apps = sorted({s.application_id for s in scores})
    reviewers = sorted({s.reviewer_id for s in scores})
    a_index = {a: i for i, a in enumerate(apps)}
    r_index = {r: len(apps) + j for j, r in enumerate(reviewers)}
    n_scores, n_apps, n_reviewers = len(scores), len(apps), len(reviewers)
    n_unknowns = n_apps + n_reviewers
    rows, cols, vals = [], [], []
    for k, s in enumerate(scores):
        rows += [k, k]
        cols += [a_index[s.application_id], r_index[s.reviewer_id]]
        vals += [1.0, 1.0]
    ridge = sqrt(shrinkage)
    for j in range(n_reviewers):  # ridge rows: sqrt(shrinkage) * offset = 0
        rows.append(n_scores + j)
        cols.append(n_apps + j)
        vals.append(ridge)
    # the offsets sum to zero (implied by the ridge, needed without it)
    constraint_row = n_scores + n_reviewers
    rows += [constraint_row] * n_reviewers
    cols += list(range(n_apps, n_unknowns))
    vals += [10.0] * n_reviewers
    design = coo_matrix((vals, (rows, cols)), shape=(constraint_row + 1, n_unknowns)).tocsr()
    target = np.zeros(constraint_row + 1)
    target[:n_scores] = [s.score for s in scores]
    solution = lsqr(design, target, atol=1e-12, btol=1e-12, iter_lim=50 * n_unknowns)[0]
    merits = solution[:n_apps]
    offsets = solution[n_apps:]

    residuals = target[:n_scores] - design[:n_scores] @ solution
    dof = n_scores - n_apps - n_reviewers + 1
    sigma = float(sqrt((residuals ** 2).sum() / dof)) if dof >= MIN_RESIDUAL_DOF else None
    per_app = Counter(s.application_id for s in scores)
    per_reviewer = Counter(s.reviewer_id for s in scores)
    return Calibration(
        merits={a: float(merits[i]) for a, i in a_index.items()},
        offsets={r: float(offsets[r_index[r] - n_apps]) for r in reviewers},
        counts=dict(per_reviewer),
        standard_errors={a: (sigma / sqrt(per_app[a]) if sigma is not None else None) for a in apps},
        sigma=sigma,
        shrinkage=shrinkage,
    )


def zscore_means(scores: list[Score]) -> dict[int, float]:
    """Per-reviewer z-scores averaged per application (for comparison only:
    it penalises a reviewer's strong batch as if it were leniency)."""
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    for s in scores:
        by_reviewer[s.reviewer_id].append(s.score)
    moments = {}
    for reviewer, values in by_reviewer.items():
        mean = sum(values) / len(values)
        sd = sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        moments[reviewer] = (mean, sd)
    by_app: dict[int, list[float]] = defaultdict(list)
    for s in scores:
        mean, sd = moments[s.reviewer_id]
        by_app[s.application_id].append((s.score - mean) / sd if sd > 0 else 0.0)
    return {a: sum(v) / len(v) for a, v in by_app.items()}


def explain_offset(offset: float, count: int, *, shrinkage: float = DEFAULT_SHRINKAGE) -> str:
    """One line an administrator can read."""
    reviews = f"{count} review{'s' if count != 1 else ''}"
    if abs(offset) < 1.0:
        text = f"Scores in line with the other reviewers of the same applications ({reviews}); no correction."
    else:
        direction = "higher" if offset > 0 else "lower"
        change = "lowered" if offset > 0 else "raised"
        text = (f"Scores {abs(offset):.1f} points {direction} than the other reviewers of the same "
                f"applications ({reviews}); their scores are {change} by {abs(offset):.1f} in the calibrated score.")
    if count < 3:
        text += f" With so few reviews the correction is shrunk toward zero (by {shrinkage:g} reviews' worth)."
    return text


def with_calibration(stats: dict[int, ApplicationStats], calibration: Calibration) -> dict[int, ApplicationStats]:
    for app_id, item in stats.items():
        item.calibrated = calibration.merits.get(app_id)
        item.calibrated_se = calibration.standard_errors.get(app_id)
    return stats


def uncertain_near_line(ordered: list[ApplicationStats], line_index: int | None) -> set[int]:
    """Applications (ordered best first by calibrated score) whose calibrated
    score is within the 95% margin of error of the funding line; ``line_index``
    is the position of the first application below the line."""
    if line_index is None or line_index <= 0 or line_index >= len(ordered):
        return set()
    line = (ordered[line_index - 1].calibrated + ordered[line_index].calibrated) / 2
    return {item.application_id for item in ordered
            if item.calibrated is not None and item.calibrated_se is not None
            and abs(item.calibrated - line) <= Z_95 * item.calibrated_se}
