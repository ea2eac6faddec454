"""Aggregation checked against tables computed by hand."""
from __future__ import annotations

import pytest

from grantflow.reviews.aggregation import (
    ApplicationStats, Score, calibrate, explain_offset, nih_percentiles, summarise, uncertain_near_line,
    zscore_means,
)
from grantflow.reviews.rubrics import get_rubric


@pytest.mark.parametrize("scores,expected", [
    ({"clarity": 1, "benefit": 1, "partnerships": 1, "feasibility": 1, "success": 1}, 0.0),
    ({"clarity": 5, "benefit": 5, "partnerships": 5, "feasibility": 5, "success": 5}, 100.0),
    ({"clarity": 3, "benefit": 3, "partnerships": 3, "feasibility": 3, "success": 3}, 50.0),
    # 20 x (4-1)/4 + 20 x (2-1)/4 + 20 x (5-1)/4 + 20 x (3-1)/4 + 20 x (1-1)/4 = 15 + 5 + 20 + 10 + 0
    ({"clarity": 4, "benefit": 2, "partnerships": 5, "feasibility": 3, "success": 1}, 50.0),
    ({"clarity": 5, "benefit": 4, "partnerships": 4, "feasibility": 4, "success": 2}, 70.0),
    ({"clarity": 5, "benefit": 4}, None),  # not every criterion scored
])
def test_weighted_score_on_the_default_rubric(scores, expected):
    assert get_rubric("local_to_global").weighted_score(scores) == expected


# application, reviewer, score, recommendation
ROUND = [
    (1, 10, 80.0, "fund"), (1, 11, 60.0, "fund_with_conditions"), (1, 12, 70.0, "fund"),
    (2, 10, 40.0, "do_not_fund"), (2, 11, 80.0, "fund"),
    (3, 12, 55.0, "fund_with_conditions"),
    (4, 10, 70.0, "fund"), (4, 11, 70.0, "fund"),
]
# by hand: mean, sample SD, range >= 30 flags disagreement; percentile of the means
# means 70, 60, 55, 70 -> ranks (best first) 1.5, 3, 4, 1.5 of N=4 -> 100 x (rank - 0.5) / 4 = 25, 62.5, 87.5, 25
EXPECTED = {
    1: dict(count=3, mean=70.0, sd=10.0, disagreement=False, percentile=25,
            tally={"fund": 2, "fund_with_conditions": 1}),
    2: dict(count=2, mean=60.0, sd=28.284271, disagreement=True, percentile=63,
            tally={"do_not_fund": 1, "fund": 1}),
    3: dict(count=1, mean=55.0, sd=None, disagreement=False, percentile=88, tally={"fund_with_conditions": 1}),
    4: dict(count=2, mean=70.0, sd=0.0, disagreement=False, percentile=25, tally={"fund": 2}),
}


@pytest.mark.parametrize("application_id", sorted(EXPECTED))
def test_raw_statistics_per_application(application_id):
    stats = summarise([Score(*row) for row in ROUND], disagreement_threshold=30)[application_id]
    expected = EXPECTED[application_id]
    assert stats.count == expected["count"]
    assert stats.mean == pytest.approx(expected["mean"])
    assert (stats.sd is None) if expected["sd"] is None else stats.sd == pytest.approx(expected["sd"])
    assert stats.disagreement is expected["disagreement"]
    assert stats.percentile == expected["percentile"]
    assert stats.tally == expected["tally"]


@pytest.mark.parametrize("values,expected", [
    ({1: 90, 2: 80, 3: 80, 4: 70}, {1: 13, 2: 50, 3: 50, 4: 88}),
    ({1: 50}, {1: 50}),
    ({n: 100 - n for n in range(1, 101)}, {1: 1, 2: 2, 50: 50, 100: 100}),
])
def test_nih_percentiles(values, expected):
    result = nih_percentiles(values)
    for key, percentile in expected.items():
        assert result[key] == percentile


def test_offsets_on_a_balanced_round():
    # two reviewers read the same three applications; B scores everything 10 points higher
    scores = [Score(a, r, s) for a, r, s in [(1, 1, 60), (1, 2, 70), (2, 1, 40), (2, 2, 50), (3, 1, 80), (3, 2, 90)]]
    exact = calibrate(scores, shrinkage=0)
    assert exact.offsets == pytest.approx({1: -5.0, 2: 5.0})
    assert exact.merits == pytest.approx({1: 65.0, 2: 45.0, 3: 85.0})
    # shrinkage 2 with 3 reviews each keeps 3 / (3 + 2) of the offsets; the merits are unchanged
    shrunk = calibrate(scores, shrinkage=2)
    assert shrunk.offsets == pytest.approx({1: -3.0, 2: 3.0})
    assert shrunk.merits == pytest.approx({1: 65.0, 2: 45.0, 3: 85.0})


def test_offsets_on_a_small_unbalanced_round():
    """Reviewer 1 reads A (80) and B (70); reviewer 2 reads B (60) and C (50).

    Only B links them: reviewer 1 is 10 points more lenient on B, so with
    offsets summing to zero o1 = +5, o2 = -5, and A = 80 - 5 = 75, B = 65,
    C = 50 + 5 = 55 (the raw means say 80, 65, 50). With shrinkage s the
    difference d = o1 - o2 minimises 2 (5 - d/2)^2 + s d^2 / 2, so
    d = 10 / (1 + s): for s = 2, o1 = 5/3 and A = 80 - 5/3, C = 50 + 5/3."""
    scores = [Score(1, 1, 80), Score(2, 1, 70), Score(2, 2, 60), Score(3, 2, 50)]
    exact = calibrate(scores, shrinkage=0)
    assert exact.offsets == pytest.approx({1: 5.0, 2: -5.0})
    assert exact.merits == pytest.approx({1: 75.0, 2: 65.0, 3: 55.0})
    shrunk = calibrate(scores, shrinkage=2)
    assert shrunk.offsets == pytest.approx({1: 5 / 3, 2: -5 / 3})
    assert shrunk.merits == pytest.approx({1: 80 - 5 / 3, 2: 65.0, 3: 50 + 5 / 3})
    assert exact.counts == {1: 2, 2: 2}
    assert exact.sigma is None  # too few degrees of freedom for a margin of error


def test_calibration_does_not_punish_a_reviewer_for_a_strong_batch():
    """Reviewer 1 reads only strong applications, reviewer 3 only weak ones,
    reviewer 2 reads both and is as fair as they are: no offsets are needed,
    but z-scores would pull the strong batch down and the weak one up."""
    rows = [(1, 1, 90), (1, 2, 90), (2, 1, 85), (2, 2, 85), (3, 3, 30), (3, 2, 30), (4, 3, 25), (4, 2, 25)]
    scores = [Score(a, r, s) for a, r, s in rows]
    calibration = calibrate(scores, shrinkage=0)
    assert calibration.offsets == pytest.approx({1: 0.0, 2: 0.0, 3: 0.0}, abs=1e-6)
    assert calibration.merits == pytest.approx({1: 90.0, 2: 85.0, 3: 30.0, 4: 25.0})
    z = zscore_means(scores)
    # reviewer 1's weaker strong application (85) gets z = -1 from them: z-scores rank it below a weak one
    assert z[2] < z[3]


def test_sigma_and_standard_errors_with_enough_reviews():
    # 6 applications x 3 reviewers, reviewer offsets +4, 0, -4 and noise
    noise = [1, -1, 0, 2, -2, 0, -1, 1, 0, 0, 1, -1, 2, 0, -2, 1, -1, 0]
    scores, k = [], 0
    for app, merit in enumerate([80, 70, 60, 50, 40, 30], start=1):
        for reviewer, offset in ((1, 4), (2, 0), (3, -4)):
            scores.append(Score(app, reviewer, merit + offset + noise[k]))
            k += 1
    calibration = calibrate(scores, shrinkage=0)
    assert calibration.sigma is not None and 0.5 < calibration.sigma < 2.5
    assert calibration.offsets[1] == pytest.approx(4, abs=1) and calibration.offsets[3] == pytest.approx(-4, abs=1)
    assert calibration.standard_errors[1] == pytest.approx(calibration.sigma / 3 ** 0.5)


def test_uncertain_applications_near_the_funding_line():
    def stats(app_id, calibrated, se):
        return ApplicationStats(app_id, 3, calibrated, None, 0, 0, calibrated=calibrated, calibrated_se=se)

    ordered = [stats(1, 90, 2), stats(2, 72, 2), stats(3, 70, 2), stats(4, 60, 2)]
    # the line falls between 72 and 70 (71): within 1.96 x 2 = 3.92 of it are 2 and 3
    assert uncertain_near_line(ordered, 2) == {2, 3}
    assert uncertain_near_line(ordered, None) == set()
    assert uncertain_near_line(ordered, 0) == set()


@pytest.mark.parametrize("offset,count,expected", [
    (0.4, 12, "Scores in line with the other reviewers of the same applications (12 reviews); no correction."),
    (6.25, 9, "Scores 6.2 points higher than the other reviewers of the same applications (9 reviews); "
              "their scores are lowered by 6.2 in the calibrated score."),
    (-3.0, 1, "Scores 3.0 points lower than the other reviewers of the same applications (1 review); their "
              "scores are raised by 3.0 in the calibrated score. With so few reviews the correction is shrunk "
              "toward zero (by 2 reviews' worth)."),
])
def test_offset_explanations(offset, count, expected):
    assert explain_offset(offset, count) == expected


def _simulated_round(offsets, seed=7):
    import numpy as np

    rng = np.random.default_rng(seed)
    scores = []
    for app in range(60):
        merit = rng.normal(55, 10)
        for reviewer in rng.choice(len(offsets), size=3, replace=False):
            scores.append(Score(app, int(reviewer), float(merit + offsets[reviewer] + rng.normal(0, 5))))
    return scores


def test_the_shrinkage_is_estimated_from_the_round():
    from grantflow.reviews.aggregation import DEFAULT_SHRINKAGE, estimate_shrinkage

    fair = _simulated_round([0.0] * 12)
    biased = _simulated_round([12, -12, 8, -8, 4, -4, 10, -10, 6, -6, 2, -2])
    assert estimate_shrinkage(biased) < 1            # real differences: barely shrunk
    assert estimate_shrinkage(fair) > 20             # no real differences: shrunk away
    calibrated = calibrate(fair)
    raw = summarise(fair)
    assert max(abs(o) for o in calibrated.offsets.values()) < 1
    assert all(abs(calibrated.merits[a] - raw[a].mean) < 1 for a in raw)
    # a round too small to estimate anything falls back to the default
    assert estimate_shrinkage([Score(1, 1, 80), Score(2, 1, 70), Score(2, 2, 60), Score(3, 2, 50)]) \
        == DEFAULT_SHRINKAGE
