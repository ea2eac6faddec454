"""The exact part of fair mode: a MILP over panels, solved by HiGHS (SciPy).

The obvious model (x[i, j] = 1 if reviewer j reviews application i, and
"every application's total >= t") has a weak linear relaxation: it can give
each application a third of three experts. Here each application also chooses
one *panel pattern*: how many of its reviewers come from each of its match
levels (with GrantFlow's match, 0-100 as a share of themes, an application has
at most three positive levels, so a few dozen patterns). Patterns whose total
falls below the threshold do not exist, and the pairs of each level must add
up to the chosen pattern's count. For a fixed choice of patterns the pairs form
a flow problem, so the relaxation is the convex hull of each application's
panels and is tight in practice: on the bench's scarce round its bound equals
the integer optimum.

``best_at(threshold)`` maximises the total match subject to every application
in need reaching ``threshold``: the LP gives the bound, a MILP restricted to
the LP's support plus the incumbent's pairs (the warm start: SciPy's HiGHS
takes no initial solution, so the incumbent enters as candidates that keep it
feasible) usually meets it, and the full MILP runs on what time is left when
it does not. Solver imports stay inside the functions that solve.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .assignment import Problem

MAX_PATTERNS = 400          # per application; beyond this the model is not built
SUPPORT_EPSILON = 1e-7


@dataclass
class Outcome:
    """What one ``best_at`` call proved and found."""

    status: str                     # "optimal", "feasible", "infeasible" (proven), "unknown"
    bound: float = -math.inf        # no assignment reaching the threshold has more total match
    apps: np.ndarray | None = None  # the pairs found (indices into the problem)
    reviewers: np.ndarray | None = None
    objective: int | None = None


class PanelModel:
    """The pairs allowed in the model (``candidates``) and each application's
    levels. ``places``: when given, at least that many places must be filled
    (the exact model, with zero-match pairs); when None, pairs of match 0 are
    left out and applications may stay short: a relaxation, whose bounds are
    therefore bounds of the exact problem too."""

    def __init__(self, problem: Problem, base: np.ndarray, candidates: np.ndarray, places: int | None = None):
        self.problem, self.base, self.places = problem, np.asarray(base, dtype=np.int64), places
        usable = candidates & (problem.need[:, None] > 0) & (problem.capacity[None, :] > 0)
        if places is None:
            usable &= problem.match > 0
        self.app, self.rev = np.nonzero(usable)
        self.weight = problem.match[self.app, self.rev]
        keys = self.app * (int(self.weight.max(initial=0)) + 1) + self.weight  # one level per (application, match)
        _, first_pair, self.level_of_pair, self.level_available = np.unique(
            keys, return_index=True, return_inverse=True, return_counts=True)
        self.level_app, self.level_value = self.app[first_pair], self.weight[first_pair]
        self.needy = np.flatnonzero(problem.need > 0)
        first = np.searchsorted(self.level_app, np.arange(problem.shape[0]))
        last = np.searchsorted(self.level_app, np.arange(problem.shape[0]), side="right")
        self.levels_of = [(int(a), int(b)) for a, b in zip(first, last)]
        self._patterns: dict[int, list] = {}  # this model's own, built once per application

    def patterns(self, app: int) -> list[tuple[tuple[int, ...], int]]:
        """(count per level, total match) of every panel of ``app``: at most
        ``need`` reviewers, never more of a level than it has candidates."""
        if app not in self._patterns:
            self._patterns[app] = self._enumerate(app)
        return self._patterns[app]

    def _enumerate(self, app: int) -> list[tuple[tuple[int, ...], int]]:
        first, last = self.levels_of[app]
        values = self.level_value[first:last].tolist()
        available = self.level_available[first:last].tolist()
        need = int(self.problem.need[app])
        found: list[tuple[tuple[int, ...], int]] = []

        def extend(level: int, left: int, counts: list[int], total: int):
            if len(found) > MAX_PATTERNS:
                return
            if level == len(values):
                found.append((tuple(counts), total))
                return
            for count in range(min(left, available[level]) + 1):
                extend(level + 1, left - count, counts + [count], total + count * values[level])

        extend(0, need, [], 0)
        return found

    def attainable_totals(self) -> np.ndarray:
        """Every total an application in need can reach: the worst-off is one of them."""
        totals = {int(self.base[i]) + total for i in self.needy for _, total in self.patterns(int(i))}
        return np.array(sorted(totals), dtype=np.int64)

    def _matrices(self, threshold: int | None, with_t: bool, keep: np.ndarray | None):
        """Variables: the kept pairs, the patterns (reaching ``threshold``), and t when ``with_t``."""
        from scipy.sparse import coo_matrix

        pairs = np.arange(len(self.app)) if keep is None else np.flatnonzero(keep)
        n_pairs = len(pairs)
        z_rows, z_cols, z_vals, z_app, z_total = [], [], [], [], []
        for i in self.needy.tolist():
            first, _ = self.levels_of[i]
            options = [(c, t) for c, t in self.patterns(i)
                       if threshold is None or self.base[i] + t >= threshold]
            if not options:
                return None  # this application cannot reach the threshold at all
            for counts, total in options:
                column = len(z_app)
                for offset, count in enumerate(counts):
                    if count:
                        z_rows.append(first + offset)
                        z_cols.append(column)
                        z_vals.append(-count)
                z_app.append(i)
                z_total.append(total)
        n_z, n_levels, (n_apps, n_reviewers) = len(z_app), len(self.level_available), self.problem.shape
        n_vars = n_pairs + n_z + (1 if with_t else 0)
        z0 = n_pairs
        rows, cols, vals, lower, upper = [], [], [], [], []

        def block(r, c, v, lo, hi, n_rows):
            start = sum(len(x) for x in lower)
            rows.append(np.asarray(r) + start)
            cols.append(np.asarray(c))
            vals.append(np.asarray(v, dtype=float))
            lower.append(np.broadcast_to(np.asarray(lo, dtype=float), (n_rows,)))
            upper.append(np.broadcast_to(np.asarray(hi, dtype=float), (n_rows,)))

        # reviewers' caps
        block(self.rev[pairs], np.arange(n_pairs), np.ones(n_pairs), 0, self.problem.capacity, n_reviewers)
        # one pattern per application in need
        needy_row = np.full(n_apps, -1)
        needy_row[self.needy] = np.arange(len(self.needy))
        block(needy_row[z_app], z0 + np.arange(n_z), np.ones(n_z), 1, 1, len(self.needy))
        # each level's pairs add up to the chosen pattern's count
        block(np.concatenate([self.level_of_pair[pairs], z_rows]),
              np.concatenate([np.arange(n_pairs), z0 + np.asarray(z_cols, dtype=np.int64)]),
              np.concatenate([np.ones(n_pairs), z_vals]), 0, 0, n_levels)
        if self.places is not None:
            block(np.zeros(n_pairs, dtype=np.int64), np.arange(n_pairs), np.ones(n_pairs), self.places, np.inf, 1)
        if with_t:  # t <= base + the chosen pattern's total, for every application in need
            block(np.concatenate([np.arange(len(self.needy)), needy_row[z_app]]),
                  np.concatenate([np.full(len(self.needy), n_vars - 1), z0 + np.arange(n_z)]),
                  np.concatenate([np.ones(len(self.needy)), -np.asarray(z_total, dtype=float)]),
                  -np.inf, self.base[self.needy], len(self.needy))
        matrix = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                            shape=(sum(len(x) for x in lower), n_vars)).tocsr()
        return pairs, n_vars, matrix, np.concatenate(lower), np.concatenate(upper)

    def max_min_bound(self, seconds: float) -> float | None:
        """The LP bound on the worst-off application's total (None: no answer in time)."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        built = self._matrices(None, True, None)
        if built is None or seconds <= 0:
            return None
        _, n_vars, matrix, lower, upper = built
        cost = np.zeros(n_vars)
        cost[-1] = -1
        high = np.ones(n_vars)
        high[-1] = np.inf
        result = milp(cost, constraints=LinearConstraint(matrix, lower, upper), bounds=Bounds(0, high),
                      options={"time_limit": seconds})
        return -result.fun if result.status == 0 else None

    def best_at(self, threshold: int, incumbent: tuple[np.ndarray, np.ndarray] | None, deadline: float) -> Outcome:
        """The most total match with every application in need at ``threshold`` or more."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        built = self._matrices(threshold, False, None)
        if built is None:
            return Outcome("infeasible")
        pairs, n_vars, matrix, lower, upper = built
        cost = -np.concatenate([self.weight.astype(float), np.zeros(n_vars - len(pairs))])
        constraints = LinearConstraint(matrix, lower, upper)
        left = deadline - time.monotonic()
        if left <= 0.5:
            return Outcome("unknown")
        relaxed = milp(cost, constraints=constraints, bounds=Bounds(0, 1), options={"time_limit": left})
        if relaxed.status == 2:
            return Outcome("infeasible")
        if relaxed.status != 0:
            return Outcome("unknown")
        outcome = Outcome("feasible", bound=math.floor(-relaxed.fun + 1e-6))
        keep = relaxed.x[:len(pairs)] > SUPPORT_EPSILON
        if incumbent is not None:
            wanted = np.zeros(self.problem.shape, dtype=bool)
            wanted[incumbent] = True
            keep |= wanted[self.app, self.rev]
        for restricted in (keep, None):  # the LP's support first, then every candidate
            left = deadline - time.monotonic()
            if left <= 0.5 or outcome.status == "optimal":
                break
            found = self._integer(threshold, restricted, left, outcome.bound)
            if found is None:
                continue
            apps, reviewers, objective, dual = found
            if restricted is None and dual is not None:
                outcome.bound = min(outcome.bound, math.floor(dual + 1e-6))
            if outcome.objective is None or objective > outcome.objective:
                outcome.apps, outcome.reviewers, outcome.objective = apps, reviewers, objective
            if outcome.objective >= outcome.bound:
                outcome.status = "optimal"
        return outcome

    def _integer(self, threshold: int, keep: np.ndarray | None, seconds: float, target: float):
        from scipy.optimize import Bounds, LinearConstraint, milp

        built = self._matrices(threshold, False, keep)
        if built is None:
            return None
        pairs, n_vars, matrix, lower, upper = built
        cost = -np.concatenate([self.weight[pairs].astype(float), np.zeros(n_vars - len(pairs))])
        # the objective is an integer: a relative gap under 1 / target is a proof
        result = milp(cost, constraints=LinearConstraint(matrix, lower, upper), integrality=np.ones(n_vars),
                      bounds=Bounds(0, 1), options={"time_limit": seconds, "mip_rel_gap": 0.5 / max(target, 1)})
        if result.x is None:
            return None
        chosen = pairs[np.rint(result.x[:len(pairs)]) > 0]
        dual = -result.mip_dual_bound if getattr(result, "mip_dual_bound", None) is not None else None
        if result.status == 0:
            dual = -result.fun
        return self.app[chosen], self.rev[chosen], int(self.weight[chosen].sum()), dual
