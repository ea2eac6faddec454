"""Optimal reviewer assignment as a min-cost flow (pure: no database here).

The network is source -> application (capacity: places still to fill) ->
reviewer (capacity 1 per allowed pair, cost -match) -> sink (capacity: the
reviewer's free places). OR-Tools' ``solve_max_flow_with_min_cost`` finds the
largest number of assignments and, among those, the largest total expertise
match: an exact optimum, never a greedy approximation. So the result is
lexicographically at least as good as any greedy assignment: never fewer
places filled, and never less match when as many places are filled.

When the places cannot all be filled, the residual network of the maximum
flow says why: the applications that still need reviewers can only reach
reviewers who are already full (Hall's condition fails for that set), and
``shortfalls`` reports each such group with the number of places missing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Problem:
    """``need[i]`` places to fill for application i, ``capacity[j]`` free places
    of reviewer j, ``match[i, j]`` >= 0 integer expertise match, ``allowed[i, j]``
    False for a conflict of interest or a pair that already exists."""

    need: np.ndarray
    capacity: np.ndarray
    match: np.ndarray
    allowed: np.ndarray

    def __post_init__(self):
        self.need = np.asarray(self.need, dtype=np.int64)
        self.capacity = np.asarray(self.capacity, dtype=np.int64)
        self.match = np.asarray(self.match, dtype=np.int64)
        self.allowed = np.asarray(self.allowed, dtype=bool)
        n_apps, n_reviewers = len(self.need), len(self.capacity)
        if self.match.shape != (n_apps, n_reviewers) or self.allowed.shape != (n_apps, n_reviewers):
            raise ValueError("match and allowed must be (applications x reviewers) matrices")
        if (self.need < 0).any() or (self.capacity < 0).any() or (self.match < 0).any():
            raise ValueError("need, capacity and match must not be negative")

    @property
    def shape(self) -> tuple[int, int]:
        return self.allowed.shape


@dataclass
class Shortfall:
    """A group of applications that cannot all get their reviewers."""

    applications: list[int]          # indices of the applications still short of reviewers
    missing: int                     # places that could not be filled
    reviewers: list[int]             # the only reviewers they could use (all full)


@dataclass
class Solution:
    apps: np.ndarray                 # application index of each new pair
    reviewers: np.ndarray            # reviewer index of each new pair
    objective: int                   # total match of the new pairs
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def assigned(self) -> int:
        return len(self.apps)

    def totals(self, problem: Problem) -> np.ndarray:
        """Each application's total match from the new pairs."""
        return np.bincount(self.apps, weights=problem.match[self.apps, self.reviewers],
                           minlength=problem.shape[0]).astype(np.int64)


MAX_LEVELS = 8


def solve(problem: Problem, weights: np.ndarray | None = None,
          emphasis: tuple[int, ...] | None = None) -> Solution:
    """The exact optimum.

    ``weights`` (positive integers per application) scale each application's
    match. ``emphasis`` (non-increasing positive integers, for example (4, 2, 1))
    values each application's best reviewer's match 4 times, its second best
    twice and the others once: an ordered weighted sum that is still a
    min-cost flow (see ``_level_chain``) and spreads the best-matched reviewers
    over the applications instead of piling them on a few. Fair mode uses both."""
    from ortools.graph.python import min_cost_flow  # here, not at import: the web app rarely solves

    n_apps, n_reviewers = problem.shape
    app_idx, rev_idx = np.nonzero(problem.allowed & (problem.need[:, None] > 0)
                                  & (problem.capacity[None, :] > 0))
    app_weight = np.ones(n_apps, dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
    if emphasis is None:
        pair_tail, pair_cost, chain = app_idx, -problem.match[app_idx, rev_idx] * app_weight[app_idx], None
        n_app_nodes = n_apps
    else:
        chain = _level_chain(problem, app_idx, rev_idx, app_weight, emphasis)
        pair_tail, pair_cost, n_app_nodes = chain.pair_tail, chain.pair_cost, chain.n_nodes
    reviewer0 = n_app_nodes
    source, sink = reviewer0 + n_reviewers, reviewer0 + n_reviewers + 1
    parts = [  # (tails, heads, capacities, costs); the pair arcs come second
        (np.full(n_apps, source), np.arange(n_apps), problem.need, np.zeros(n_apps, dtype=np.int64)),
        (pair_tail, reviewer0 + rev_idx, np.ones(len(app_idx), dtype=np.int64), pair_cost),
        (reviewer0 + np.arange(n_reviewers), np.full(n_reviewers, sink), problem.capacity,
         np.zeros(n_reviewers, dtype=np.int64)),
    ]
    if chain is not None:
        parts.append(chain.arcs)
    flow = min_cost_flow.SimpleMinCostFlow()
    for tails, heads, capacities, costs in parts:
        flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    del parts, pair_cost
    flow.set_node_supply(source, int(problem.need.sum()))
    flow.set_node_supply(sink, -int(problem.need.sum()))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"the min-cost flow solver failed: {status}")
    pair_flows = flow.flows(np.arange(n_apps, n_apps + len(app_idx)))
    chosen = pair_flows > 0
    solution = Solution(apps=app_idx[chosen], reviewers=rev_idx[chosen],
                        objective=int(problem.match[app_idx[chosen], rev_idx[chosen]].sum()))
    if solution.assigned < problem.need.sum():
        solution.shortfalls = shortfalls(problem, solution)
    return solution


@dataclass
class _Chain:
    pair_tail: np.ndarray
    pair_cost: np.ndarray
    n_nodes: int
    arcs: tuple


def _level_chain(problem: Problem, app_idx, rev_idx, app_weight, emphasis) -> _Chain:
    """Each application gets a chain of nodes, one per match level: node 0 is
    the application itself, node l reaches the reviewers whose match lies in
    level l. Flow to a reviewer of level l crosses the chain arcs 1..l; each
    chain step is a set of parallel arcs whose first unit earns emphasis[0]
    times the step's height, the second emphasis[1] times, and so on. Summed
    over the steps, an application's reward is sum_s emphasis[s] x (match of
    its s-th best reviewer). The (at most MAX_LEVELS) levels are quantiles of
    the match values; what lies above a level's floor is paid on the pair arc
    with weight one."""
    n_apps = problem.shape[0]
    match = problem.match[app_idx, rev_idx]
    values = np.unique(match[match > 0])
    if len(values) > MAX_LEVELS:
        values = np.unique(np.quantile(values, np.linspace(0, 1, MAX_LEVELS), method="lower"))
    level = np.searchsorted(values, match, side="right")  # 0: below the first level
    floors = np.concatenate([[0], values])
    tails, heads, capacities, costs = [], [], [], []
    need = problem.need
    for step in range(1, len(values) + 1):
        height = floors[step] - floors[step - 1]
        for rank, factor in enumerate(emphasis):
            last = rank == len(emphasis) - 1
            tails.append((step - 1) * n_apps + np.arange(n_apps))
            heads.append(step * n_apps + np.arange(n_apps))
            capacities.append(np.maximum(need - rank, 0) if last else (need > rank).astype(np.int64))
            costs.append(-app_weight * int(height) * int(factor))
    arcs = tuple(np.concatenate(x) if x else np.zeros(0, dtype=np.int64)
                 for x in (tails, heads, capacities, costs))
    return _Chain(pair_tail=level * n_apps + app_idx,
                  pair_cost=-(match - floors[level]) * app_weight[app_idx],
                  n_nodes=(len(values) + 1) * n_apps, arcs=arcs)


def shortfalls(problem: Problem, solution: Solution) -> list[Shortfall]:
    """Why a maximum assignment leaves places empty, one group per bottleneck.

    In the residual network of a maximum flow, everything reachable from the
    source forms the source side of a minimum cut: the applications still
    short of reviewers reach only reviewers who have no free place left. Each
    connected group of those is reported with the places it lacks."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    n_apps, n_reviewers = problem.shape
    assigned_per_app = np.bincount(solution.apps, minlength=n_apps)
    short = problem.need - assigned_per_app
    # residual arcs between applications (0..A-1) and reviewers (A..A+R-1)
    taken = np.zeros(problem.shape, dtype=bool)
    taken[solution.apps, solution.reviewers] = True
    free_app, free_rev = np.nonzero(problem.allowed & ~taken & (problem.capacity[None, :] > 0))
    n = n_apps + n_reviewers + 1
    source = n - 1
    starts = np.flatnonzero(short > 0)
    tails = np.concatenate([free_app, n_apps + solution.reviewers, np.full(len(starts), source)])
    heads = np.concatenate([n_apps + free_rev, solution.apps, starts])
    graph = coo_matrix((np.ones(len(tails), dtype=np.int8), (tails, heads)), shape=(n, n)).tocsr()
    reached = breadth_first_order(graph, source, directed=True, return_predecessors=False)
    reachable = np.zeros(n, dtype=bool)
    reachable[reached] = True
    reachable[source] = False
    # group the reachable part into connected bottlenecks
    keep = reachable[tails] & reachable[heads]
    sub = coo_matrix((np.ones(int(keep.sum()), dtype=np.int8), (tails[keep], heads[keep])), shape=(n, n))
    _, labels = connected_components(sub, directed=False)
    groups: dict[int, Shortfall] = {}
    for app in starts:
        group = groups.setdefault(labels[app], Shortfall(applications=[], missing=0, reviewers=[]))
        group.applications.append(int(app))
        group.missing += int(short[app])
    for reviewer in range(n_reviewers):
        node = n_apps + reviewer
        if reachable[node] and labels[node] in groups:
            groups[labels[node]].reviewers.append(reviewer)
    # applications that can reach no reviewer at all share one explanation
    stranded = [g for g in groups.values() if not g.reviewers]
    found = [g for g in groups.values() if g.reviewers]
    if stranded:
        found.append(Shortfall(applications=sorted(i for g in stranded for i in g.applications),
                               missing=sum(g.missing for g in stranded), reviewers=[]))
    return sorted(found, key=lambda g: (-g.missing, g.applications[0]))


def greedy(problem: Problem) -> Solution:
    """The usual baseline: take allowed pairs best match first while the
    application needs a reviewer and the reviewer has a place."""
    need = problem.need.copy()
    capacity = problem.capacity.copy()
    app_idx, rev_idx = np.nonzero(problem.allowed)
    order = np.argsort(-problem.match[app_idx, rev_idx], kind="stable")
    apps, reviewers = [], []
    for i, j in zip(app_idx[order].tolist(), rev_idx[order].tolist()):
        if need[i] > 0 and capacity[j] > 0:
            need[i] -= 1
            capacity[j] -= 1
            apps.append(i)
            reviewers.append(j)
    apps_a, reviewers_a = np.array(apps, dtype=np.int64), np.array(reviewers, dtype=np.int64)
    return Solution(apps=apps_a, reviewers=reviewers_a,
                    objective=int(problem.match[apps_a, reviewers_a].sum()) if apps else 0)


def check(problem: Problem, solution: Solution) -> list[str]:
    """Every rule the assignment must keep, as messages (empty: all kept)."""
    problems = []
    per_app = np.bincount(solution.apps, minlength=problem.shape[0])
    per_reviewer = np.bincount(solution.reviewers, minlength=problem.shape[1])
    if (per_app > problem.need).any():
        problems.append("an application got more reviewers than it needs")
    if (per_reviewer > problem.capacity).any():
        problems.append("a reviewer got more applications than their cap")
    if len(solution.apps) and not problem.allowed[solution.apps, solution.reviewers].all():
        problems.append("a conflicted or existing pair was assigned")
    pairs = set(zip(solution.apps.tolist(), solution.reviewers.tolist()))
    if len(pairs) != len(solution.apps):
        problems.append("a pair was assigned twice")
    return problems
