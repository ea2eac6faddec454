"""Fair mode: raise the worst-off application's total match first, then the total.

Maximising the minimum of per-application sums is not a flow problem (it is
NP-hard in general), and a linear objective never prefers spreading good
reviewers: giving one application three experts scores the same as giving
three applications one each. Fair mode therefore solves a short sequence of
exact min-cost flows with two changes to the objective:

- an ordered weighted sum per application (``EMPHASIS``: the best reviewer's
  match counts 4 times, the second twice, the rest once), which spreads
  experts over the applications;
- per-application weights that double, solve after solve, for the
  applications at the bottom (within ``margin`` of the worst-off total),
  so the next solve lifts them.

Every solve fills as many places as the plain optimum; the best solution by
(worst-off total, total match) is kept, the plain optimum included, so fair
mode never has a worse worst-off application than the plain mode. The loop
stops early when the worst-off total reaches a simple upper bound (each
application's best possible panel, ignoring competition for reviewers).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .assignment import Problem, Solution, solve

EMPHASIS = (4, 2, 1)
MAX_WEIGHT = 64


@dataclass
class FairResult:
    solution: Solution
    worst_off: int        # the lowest total match of an application that needed reviewers
    upper_bound: int      # no assignment can give the worst-off application more than this
    plain_worst_off: int
    plain_objective: int
    iterations: int


def _worst_off(totals: np.ndarray, needy: np.ndarray) -> int:
    return int(totals[needy].min()) if needy.any() else 0


def best_panel_bound(problem: Problem, base: np.ndarray) -> int:
    """The worst-off application can never beat its own best possible panel."""
    needy = np.flatnonzero(problem.need > 0)
    if not len(needy):
        return 0
    usable = np.where(problem.allowed[needy] & (problem.capacity[None, :] > 0), problem.match[needy], 0)
    usable.sort(axis=1)
    columns = usable.shape[1]  # each reviewer gives an application at most one place
    bounds = [base[i] + usable[row, max(0, columns - int(problem.need[i])):].sum()
              for row, i in enumerate(needy)]
    return int(min(bounds))


def solve_fair(problem: Problem, *, base: np.ndarray | None = None, iterations: int = 25,
               margin: int | None = None) -> FairResult:
    """``base[i]`` is the match application i already has from reviewers kept
    from earlier runs, so fairness looks at each application's whole panel.
    ``margin``: how close to the worst-off total an application must be to
    have its weight doubled (default: just over a third of the largest match)."""
    n_apps = problem.shape[0]
    base = np.zeros(n_apps, dtype=np.int64) if base is None else np.asarray(base, dtype=np.int64)
    needy = problem.need > 0
    if margin is None:
        margin = int(problem.match.max(initial=0)) // 3 + 1
    plain = solve(problem)
    totals = base + plain.totals(problem)
    best, best_key = plain, (_worst_off(totals, needy), plain.objective)
    plain_key = best_key
    bound = best_panel_bound(problem, base)
    weights = np.ones(n_apps, dtype=np.int64)
    done = 0
    for done in range(1, iterations + 1):
        if best_key[0] >= bound:
            break
        candidate = solve(problem, weights=weights, emphasis=EMPHASIS)
        totals = base + candidate.totals(problem)
        key = (_worst_off(totals, needy), candidate.objective)
        if candidate.assigned == plain.assigned and key > best_key:
            best, best_key = candidate, key
        bottom = needy & (totals <= key[0] + margin)
        weights[bottom] = np.minimum(weights[bottom] * 2, MAX_WEIGHT)
    return FairResult(solution=best, worst_off=best_key[0], upper_bound=bound,
                      plain_worst_off=plain_key[0], plain_objective=plain_key[1], iterations=done)
