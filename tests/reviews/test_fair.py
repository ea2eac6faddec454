"""Fair mode against an independent MILP reference: on small scarce-expert
rounds where the flow heuristic alone falls short (found by
``fair_reference.py`` and kept as fixtures), fair mode reaches the proven
optimum, says so, and its bounds are the optimum's."""
from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings

from grantflow.reviews.assignment import Problem, check, solve
from grantflow.reviews.fair import solve_fair

from .fair_reference import FIXTURES, heuristic_only, reference
from .test_solver import problems

INSTANCES = json.loads(FIXTURES.read_text())


def _problem(instance: dict) -> Problem:
    return Problem(need=np.array(instance["need"]), capacity=np.array(instance["capacity"]),
                   match=np.array(instance["match"]), allowed=np.array(instance["allowed"]))


@pytest.mark.parametrize("instance", INSTANCES, ids=[f"{i['heuristic']}-below-{i['reference']}" for i in INSTANCES])
def test_fair_mode_reaches_the_reference_optimum_where_the_heuristic_does_not(instance):
    problem = _problem(instance)
    expected = reference(problem)
    assert heuristic_only(problem) < expected  # the fixture still shows the heuristic's shortfall
    result = solve_fair(problem, time_limit=20)
    assert check(problem, result.solution) == []
    assert result.solution.assigned == solve(problem).assigned
    assert (result.worst_off, result.total) == expected
    assert result.is_optimal and result.gap_percent == 0
    assert (result.worst_off_bound, result.total_bound) == expected
    plain = solve(problem).objective
    assert result.cost_of_fairness_percent == pytest.approx(100 * (plain - expected[1]) / plain)


def test_the_fixtures_cover_both_shortfalls():
    kinds = {tuple(i["heuristic"])[0] < tuple(i["reference"])[0] for i in INSTANCES}
    assert kinds == {True, False}


@settings(max_examples=40, deadline=None)
@given(problems(max_apps=6, max_reviewers=5))
def test_random_rounds_optimal_when_it_says_so_and_bounds_hold(problem):
    result = solve_fair(problem, time_limit=20)
    assert check(problem, result.solution) == []
    assert result.solution.assigned == solve(problem).assigned
    expected = reference(problem)
    assert result.worst_off <= expected[0] <= result.worst_off_bound
    if result.worst_off == expected[0]:
        assert result.total <= expected[1] <= result.total_bound
    assert result.is_optimal and (result.worst_off, result.total) == expected


def test_existing_reviewers_count_towards_the_worst_off():
    # application 0 already has an expert (base 100): the new expert goes to application 1
    problem = Problem(need=np.array([1, 1]), capacity=np.array([1, 1]), match=np.array([[100, 0], [100, 0]]),
                      allowed=np.ones((2, 2), dtype=bool))
    result = solve_fair(problem, base=np.array([100, 0]))
    assert result.worst_off == 100 and result.is_optimal
    assert (1, 0) in set(zip(result.solution.apps.tolist(), result.solution.reviewers.tolist()))


def test_out_of_time_still_returns_a_valid_assignment_with_honest_bounds():
    instance = INSTANCES[-1]
    problem = _problem(instance)
    result = solve_fair(problem, time_limit=0)
    assert check(problem, result.solution) == []
    assert result.worst_off <= instance["reference"][0] <= result.worst_off_bound
    assert result.total_bound >= result.total
