"""Property tests of the assignment solver: on any instance it respects k,
caps and conflicts, equals the LP optimum (so it is never worse than greedy),
and explains every place it cannot fill."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from grantflow.reviews.assignment import Problem, check, greedy, solve
from grantflow.reviews.fair import solve_fair


@st.composite
def problems(draw, max_apps=8, max_reviewers=7):
    n_apps = draw(st.integers(1, max_apps))
    n_reviewers = draw(st.integers(1, max_reviewers))
    need = draw(st.lists(st.integers(0, 3), min_size=n_apps, max_size=n_apps))
    capacity = draw(st.lists(st.integers(0, 4), min_size=n_reviewers, max_size=n_reviewers))
    levels = st.sampled_from([0, 0, 33, 50, 67, 100]) | st.integers(0, 100)
    match = draw(st.lists(levels, min_size=n_apps * n_reviewers, max_size=n_apps * n_reviewers))
    allowed = draw(st.lists(st.booleans(), min_size=n_apps * n_reviewers, max_size=n_apps * n_reviewers))
    return Problem(need=np.array(need), capacity=np.array(capacity),
                   match=np.array(match).reshape(n_apps, n_reviewers),
                   allowed=np.array(allowed).reshape(n_apps, n_reviewers))


def lp_optimum(problem: Problem) -> tuple[int, int]:
    """(places filled, total match) of the best assignment, by linear
    programming (the flow LP has integral optima): filling a place is worth
    more than any match, as in the solver."""
    app_idx, rev_idx = np.nonzero(problem.allowed)
    if not len(app_idx):
        return 0, 0
    n = len(app_idx)
    big = 100 * int(problem.need.sum() + 1) + 1
    rows = np.concatenate([app_idx, problem.shape[0] + rev_idx])
    matrix = coo_matrix((np.ones(2 * n), (rows, np.concatenate([np.arange(n)] * 2))),
                        shape=(sum(problem.shape), n))
    bounds = np.concatenate([problem.need, problem.capacity])
    result = linprog(-(big + problem.match[app_idx, rev_idx]).astype(float), A_ub=matrix, b_ub=bounds,
                     bounds=(0, 1), method="highs")
    x = np.rint(result.x).astype(int)
    return int(x.sum()), int((x * problem.match[app_idx, rev_idx]).sum())


@settings(max_examples=150, deadline=None)
@given(problems())
def test_solution_keeps_every_rule_and_equals_the_lp_optimum(problem):
    solution = solve(problem)
    assert check(problem, solution) == []
    assert (solution.assigned, solution.objective) == lp_optimum(problem)


@settings(max_examples=150, deadline=None)
@given(problems())
def test_never_worse_than_greedy(problem):
    """Lexicographically: never fewer places filled, and never less match when as many."""
    solution, baseline = solve(problem), greedy(problem)
    assert check(problem, baseline) == []
    assert (solution.assigned, solution.objective) >= (baseline.assigned, baseline.objective)


@settings(max_examples=150, deadline=None)
@given(problems())
def test_every_empty_place_is_explained(problem):
    solution = solve(problem)
    missing = int(problem.need.sum()) - solution.assigned
    assert sum(s.missing for s in solution.shortfalls) == missing
    if not missing:
        assert solution.shortfalls == []
        return
    used = np.bincount(solution.reviewers, minlength=problem.shape[1])
    taken = set(zip(solution.apps.tolist(), solution.reviewers.tolist()))
    per_app = np.bincount(solution.apps, minlength=problem.shape[0])
    for shortfall in solution.shortfalls:
        assert shortfall.missing == sum(int(problem.need[i] - per_app[i]) for i in shortfall.applications)
        # the certificate: every reviewer these applications could still use is full
        for j in shortfall.reviewers:
            assert used[j] == problem.capacity[j]
        for i in shortfall.applications:
            for j in np.flatnonzero(problem.allowed[i] & (problem.capacity > 0)):
                assert (i, j) in taken or j in shortfall.reviewers


@settings(max_examples=60, deadline=None)
@given(problems())
def test_emphasis_chain_with_equal_weights_is_the_plain_optimum(problem):
    assert solve(problem, emphasis=(1, 1, 1)).objective == solve(problem).objective


@settings(max_examples=60, deadline=None)
@given(problems())
def test_fair_mode_keeps_the_rules_and_never_lowers_the_worst_off(problem):
    result = solve_fair(problem, iterations=6)
    assert check(problem, result.solution) == []
    assert result.solution.assigned == solve(problem).assigned
    assert result.plain_worst_off <= result.worst_off <= result.worst_off_bound


def test_a_known_bottleneck_is_explained():
    # three trade applications can only use reviewer 0 (the others are conflicted), who has 1 place
    problem = Problem(need=np.array([1, 1, 1, 1]), capacity=np.array([1, 5]),
                      match=np.array([[100, 0], [100, 0], [100, 0], [0, 100]]),
                      allowed=np.array([[True, False], [True, False], [True, False], [True, True]]))
    solution = solve(problem)
    assert solution.assigned == 2
    (shortfall,) = solution.shortfalls
    assert shortfall.missing == 2 and shortfall.reviewers == [0]
    assert len(shortfall.applications) == 2


def test_fair_mode_spreads_the_experts():
    # two experts with one place each; plain optimum may give both to one application
    match = np.array([[100, 100, 0, 0], [100, 100, 0, 0]])
    problem = Problem(need=np.array([2, 2]), capacity=np.array([1, 1, 1, 1]), match=match,
                      allowed=np.ones((2, 4), dtype=bool))
    result = solve_fair(problem)
    assert result.worst_off == 100
    assert result.solution.objective == 200


@pytest.mark.parametrize("apps,reviewers", [(0, 3), (3, 0)])
def test_empty_sides(apps, reviewers):
    problem = Problem(need=np.full(apps, 3), capacity=np.full(reviewers, 2),
                      match=np.zeros((apps, reviewers), dtype=int), allowed=np.ones((apps, reviewers), dtype=bool))
    solution = solve(problem)
    assert solution.assigned == 0
    assert sum(s.missing for s in solution.shortfalls) == 3 * apps


def test_the_best_panel_bound_with_fewer_reviewers_than_places():
    problem = Problem(need=np.array([3, 0]), capacity=np.array([1, 1]), match=np.array([[33, 33], [0, 0]]),
                      allowed=np.array([[True, True], [False, False]]))
    result = solve_fair(problem)
    assert result.worst_off_bound == 66 and result.worst_off == 66 and result.is_optimal
