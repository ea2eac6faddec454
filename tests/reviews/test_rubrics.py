"""Rubric definitions: the default rubric, validation messages for every kind
of mistake, the ``grantflow forms check`` checker, and review form classes
built per rubric version without sharing fields."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from grantflow.cli import cli as grantflow_cli
from grantflow.reviews.forms import ReviewFormBase, review_form_class
from grantflow.reviews.rubrics import check_rubric_file, get_rubric

DEFAULT = Path(__file__).resolve().parents[2] / "forms" / "rubrics" / "local_to_global.v1.yaml"


def test_the_default_rubric_is_the_one_in_the_design():
    rubric = get_rubric("local_to_global")
    assert rubric.version == 1 and not rubric.is_blind
    assert [(c.id, c.weight) for c in rubric.criteria] == [
        ("clarity", 20), ("benefit", 20), ("partnerships", 20), ("feasibility", 20), ("success", 20)]
    assert all([v for v, _, _ in c.levels] == [1, 2, 3, 4, 5] and c.comment_required_below == 3
               for c in rubric.criteria)
    assert rubric.recommendations == (("fund", "Fund"), ("fund_with_conditions", "Fund with conditions"),
                                      ("do_not_fund", "Do not fund"))


def _broken(tmp_path, change, name="local_to_global.v1.yaml"):
    data = yaml.safe_load(DEFAULT.read_text())
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _set(key, value):
    def change(data):
        data[key] = value
    return change


def _criterion(index, key, value):
    def change(data):
        if value is None:
            del data["criteria"][index][key]
        else:
            data["criteria"][index][key] = value
    return change


@pytest.mark.parametrize("change,message", [
    (_criterion(0, "weight", 30), "the criteria's weights must sum to 100 (they sum to 110)"),
    (_criterion(1, "weight", 0), "criterion 'benefit': 'weight' must be a whole number above 0"),
    (_criterion(2, "levels", {1: "a", 2: "b", 3: "c", 4: "d"}), "criterion 'partnerships': 'levels' must describe "
                                                                  "every level of the scale (1 to 5)"),
    (_criterion(3, "levels", {1: "a", 2: "", 3: "c", 4: "d", 5: "e"}), "every level needs a written descriptor"),
    (_criterion(4, "id", "clarity"), "criterion 'clarity' is defined twice"),
    (_criterion(0, "id", "has space"), "the id may use only letters, digits and underscores"),
    (_criterion(0, "label", None), "criterion 'clarity' has no 'label'"),
    (_criterion(0, "comment_required_below", 9), "'comment_required_below' must be between 1 and 6"),
    (_set("scale", {1: "Low", 3: "High"}), "the scale's levels must be at least two consecutive whole numbers"),
    (_set("recommendations", []), "'recommendations' must be a non-empty list"),
    (_set("recommendations", [{"id": "fund"}]), "recommendation #1 needs an 'id' and a 'label'"),
    (_set("blind", "yes"), "'blind' must be true or false"),
    (_set("version", 0), "'version' must be a whole number of at least 1"),
])
def test_each_mistake_is_named(tmp_path, change, message):
    problems = check_rubric_file(_broken(tmp_path, change))
    assert len(problems) == 1 and message in problems[0], problems
    assert "local_to_global.v1.yaml" in problems[0]


def test_the_file_name_must_match_key_and_version(tmp_path):
    problems = check_rubric_file(_broken(tmp_path, lambda data: None, name="other.v3.yaml"))
    assert problems and "must be in a file named local_to_global.v1.yaml" in problems[0]


def test_yaml_syntax_errors_say_where(tmp_path):
    path = tmp_path / "broken.v1.yaml"
    path.write_text("key: broken\ncriteria: [\n")
    (problem,) = check_rubric_file(path)
    assert "YAML syntax error at line" in problem


def test_forms_check_covers_rubrics(runner, tmp_path):
    ok = runner.invoke(grantflow_cli, ["forms", "check", str(DEFAULT)])
    assert ok.exit_code == 0, ok.output
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    broken = _broken(rubrics, _criterion(0, "weight", 30))
    result = runner.invoke(grantflow_cli, ["forms", "check", str(broken)])
    assert result.exit_code == 1
    assert "weights must sum to 100" in result.output


def test_each_rubric_version_gets_its_own_form_class():
    v1 = get_rubric("local_to_global")
    extra = replace(v1.criteria[0], id="first_time", label="First-time applicant or small community")
    v2 = replace(v1, version=2, criteria=v1.criteria + (extra,))
    first, second = review_form_class(v1), review_form_class(v2)
    assert first is not second and first is review_form_class(v1)
    assert issubclass(first, ReviewFormBase) and issubclass(second, ReviewFormBase)
    assert first.__name__ == "ReviewForm_local_to_global_v1"
    assert hasattr(second, "score_first_time") and not hasattr(first, "score_first_time")


@pytest.mark.parametrize("scores, scored, running", [
    ({}, 0, 0.0),
    ({"clarity": 5}, 1, 20.0),
    ({"clarity": 3, "benefit": 1}, 2, 10.0),
    ({"clarity": 5, "benefit": 5, "partnerships": 5, "feasibility": 5, "success": 4}, 5, 95.0),
    ({"clarity": 9, "benefit": None}, 0, 0.0),           # outside the scale: not scored
])
def test_progress_counts_the_criteria_scored_and_their_weighted_points(scores, scored, running):
    from grantflow.reviews.rubrics import progress

    rubric = get_rubric("local_to_global")
    found = progress(rubric, scores)
    assert (found.scored, found.total, found.running) == (scored, 5, running)
    if scored == 5:
        assert found.running == rubric.weighted_score(scores)
