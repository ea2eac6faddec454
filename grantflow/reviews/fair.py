"""Fair mode: the highest worst-off total match first, then the most total match.

Every application in need has a total match (its kept reviewers' ``base``
plus the new pairs). Fair mode looks for the assignment that fills as many
places as the plain optimum and, among those, maximises the lowest total
(the worst-off application), then the total match at that worst-off. That is
NP-hard in general, so it runs in two parts within ``time_limit`` seconds:

1. a heuristic of exact min-cost flows (``_lifted_flows``): an ordered
   weighted sum per application (``EMPHASIS``) spreads the experts, and the
   weights of the applications at the bottom double solve after solve;
2. the exact model (``fair_exact.PanelModel``), started from the
   heuristic's best: the LP of panels bounds the worst-off; the model then
   maximises the total with every application at the highest worst-off not
   yet ruled out (reaching it proves it; an infeasible one lowers the bound
   to the next attainable total).

The result always holds a valid assignment (at worst the plain optimum) and
says what is proven: the bound on the worst-off, the bound on the total at the
worst-off found, and so whether it is optimal.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .assignment import Problem, Solution, solve

EMPHASIS = (4, 2, 1)
MAX_WEIGHT = 64
MAX_EXACT_PAIRS = 1_500_000     # candidate pairs of match > 0; larger rounds keep the heuristic's bounds
DEFAULT_TIME_LIMIT = 60.0


@dataclass
class FairResult:
    solution: Solution
    worst_off: int          # the lowest total match of an application in need
    worst_off_bound: int    # proven: no assignment's worst-off application gets more
    total_bound: int        # proven: no assignment with this worst-off has more total match
    plain_worst_off: int
    plain_objective: int
    iterations: int
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.solution.objective

    @property
    def is_optimal(self) -> bool:
        return self.worst_off >= self.worst_off_bound and self.total >= self.total_bound

    @property
    def gap_percent(self) -> float:
        """How far the result may be from the optimum: on the worst-off while
        that is open, else on the total."""
        if self.worst_off < self.worst_off_bound:
            return 100 * (self.worst_off_bound - self.worst_off) / self.worst_off_bound
        return 100 * (self.total_bound - self.total) / self.total_bound if self.total_bound else 0.0

    @property
    def cost_of_fairness_percent(self) -> float:
        """The total match given up for the worst-off, against the plain optimum."""
        return 100 * (self.plain_objective - self.total) / self.plain_objective if self.plain_objective else 0.0


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


class _Best:
    """The best assignment so far by (worst-off, total), among those that fill the most places."""

    def __init__(self, problem: Problem, base: np.ndarray, plain: Solution):
        self.problem, self.base, self.places = problem, base, plain.assigned
        self.needy = problem.need > 0
        self.solution, self.key = plain, self.key_of(plain)

    def key_of(self, solution: Solution) -> tuple[int, int]:
        return _worst_off(self.base + solution.totals(self.problem), self.needy), solution.objective

    def offer(self, solution: Solution) -> bool:
        key = self.key_of(solution)
        if solution.assigned == self.places and key > self.key:
            self.solution, self.key = solution, key
            return True
        return False


def solve_fair(problem: Problem, *, base: np.ndarray | None = None, time_limit: float = DEFAULT_TIME_LIMIT,
               iterations: int = 25, margin: int | None = None) -> FairResult:
    """``base[i]`` is the match application i already has from reviewers kept
    from earlier runs, so fairness looks at each application's whole panel."""
    started = time.monotonic()
    deadline = started + time_limit
    base = np.zeros(problem.shape[0], dtype=np.int64) if base is None else np.asarray(base, dtype=np.int64)
    plain = solve(problem)
    best = _Best(problem, base, plain)
    plain_key = best.key
    # the heuristic gets at most 40% of the time: the exact part needs the rest
    done = _lifted_flows(problem, base, best, started + 0.4 * time_limit, iterations, margin,
                         time.monotonic() - started)
    worst_bound, total_bound = best_panel_bound(problem, base), plain.objective
    if best.key[0] < worst_bound or best.key[1] < total_bound:
        worst_bound, total_bound = _exact(problem, base, best, worst_bound, total_bound, deadline)
    return FairResult(solution=best.solution, worst_off=best.key[0], worst_off_bound=worst_bound,
                      total_bound=total_bound, plain_worst_off=plain_key[0], plain_objective=plain_key[1],
                      iterations=done, seconds=time.monotonic() - started)


def _lifted_flows(problem, base, best: _Best, deadline: float, iterations: int, margin, solve_seconds) -> int:
    """The heuristic: weighted, emphasised min-cost flows lifting the bottom."""
    needy = problem.need > 0
    bound = best_panel_bound(problem, base)
    margin = int(problem.match.max(initial=0)) // 3 + 1 if margin is None else margin
    weights = np.ones(problem.shape[0], dtype=np.int64)
    done = 0
    for done in range(1, iterations + 1):
        # an emphasised flow costs about 1.5 plain ones: do not start one that cannot end in time
        if best.key[0] >= bound or time.monotonic() + 1.5 * solve_seconds > deadline:
            break
        candidate = solve(problem, weights=weights, emphasis=EMPHASIS)
        best.offer(candidate)
        totals = base + candidate.totals(problem)
        bottom = needy & (totals <= _worst_off(totals, needy) + margin)
        weights[bottom] = np.minimum(weights[bottom] * 2, MAX_WEIGHT)
    return done


def _exact(problem, base, best: _Best, worst_bound: int, total_bound: int, deadline: float) -> tuple[int, int]:
    """The highest provable worst-off, then the most total at it; return the proven bounds."""
    from .fair_exact import PanelModel

    if int((problem.allowed & (problem.match > 0)).sum()) > MAX_EXACT_PAIRS:
        return worst_bound, total_bound  # too large to model: the heuristic's result, with its honest bounds
    model = PanelModel(problem, base, problem.allowed)
    attainable = model.attainable_totals()
    if best.key[0] < worst_bound:
        lp = model.max_min_bound(deadline - time.monotonic())
        if lp is not None:
            reachable = attainable[attainable <= lp + 1e-6]
            worst_bound = min(worst_bound, int(reachable[-1]) if len(reachable) else best.key[0])
    at_worst = None  # the outcome at the worst-off found: its bound is the total's
    while time.monotonic() < deadline:
        # the highest worst-off not yet ruled out: reaching it proves it optimal at once
        step = max(worst_bound, best.key[0])
        outcome, model = _best_at(problem, base, best, model, step, deadline)
        if outcome.status == "infeasible" and step > best.key[0]:
            lower = attainable[(attainable < step) & (attainable >= best.key[0])]
            worst_bound = int(lower[-1]) if len(lower) else best.key[0]
            continue
        if outcome.apps is not None and best.key[0] >= step:
            at_worst = outcome
        break
    if at_worst is not None:
        total_bound = min(total_bound, int(at_worst.bound))
    return worst_bound, max(total_bound, best.key[1])


def _best_at(problem, base, best: _Best, model, threshold: int, deadline: float):
    """``model.best_at`` with the result completed to the most places filled
    (by a min-cost flow over what is left); when the relaxed model's best
    cannot be completed, once more with the exact model."""
    from .fair_exact import PanelModel

    while True:
        outcome = model.best_at(threshold, (best.solution.apps, best.solution.reviewers), deadline)
        if outcome.apps is None:
            return outcome, model
        completed = _complete(problem, outcome.apps, outcome.reviewers)
        if completed.assigned == best.places or model.places is not None:
            best.offer(completed)
            return outcome, model
        model = PanelModel(problem, base, problem.allowed, places=best.places)


def _complete(problem: Problem, apps: np.ndarray, reviewers: np.ndarray) -> Solution:
    """Fill the places the pairs leave open as well as possible (they only add match)."""
    taken = np.zeros(problem.shape, dtype=bool)
    taken[apps, reviewers] = True
    rest = Problem(need=problem.need - np.bincount(apps, minlength=problem.shape[0]),
                   capacity=problem.capacity - np.bincount(reviewers, minlength=problem.shape[1]),
                   match=problem.match, allowed=problem.allowed & ~taken)
    extra = solve(rest)
    all_apps, all_reviewers = np.concatenate([apps, extra.apps]), np.concatenate([reviewers, extra.reviewers])
    return Solution(apps=all_apps, reviewers=all_reviewers,
                    objective=int(problem.match[all_apps, all_reviewers].sum()) if len(all_apps) else 0)
