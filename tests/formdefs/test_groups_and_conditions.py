"""Repeatable groups, fixed groups, conditional questions and what the
engine then counts as missing."""
from __future__ import annotations

from grantflow.core import formdefs

from .helpers import definition, errors_of, post_page


def test_a_repeatable_group_stores_one_dict_per_item_and_drops_empty_items(app):
    result, form = post_page(app, definition(), "two", {
        "people-0-who": "Ada", "people-0-role": "lead", "people-0-note": "Runs it",
        "people-1-who": "", "people-1-role": "",
        "totals-jobs": "12",
    })
    assert errors_of(form) == {}
    assert result.answers["people"] == [{"who": "Ada", "role": "lead", "note": "Runs it"}]
    assert result.answers["totals"] == {"jobs": 12}


def test_a_repeatable_group_never_takes_more_items_than_its_maximum(app):
    result, _ = post_page(app, definition(), "two", {f"people-{i}-who": f"P{i}" for i in range(4)})
    assert [item["who"] for item in result.answers["people"]] == ["P0", "P1"]


def test_required_items_and_their_required_fields_are_reported_with_their_place(app):
    sample = definition()
    missing = formdefs.missing_required(sample, {"name": "Ada"})
    assert "People" in missing
    missing = formdefs.missing_required(sample, {"name": "Ada", "people": [{"role": "lead"}]})
    assert missing == ["Person 1: Who"]


def test_errors_inside_an_item_point_at_the_item_input(app):
    result, form = post_page(app, definition(), "two", {"people-0-who": "", "people-0-role": "lead",
                                                         "totals-jobs": "-1"}, enforce_required=True)
    anchors = dict(formdefs.error_list(form))
    assert anchors["people-0-who"] == "Enter an answer for “Who”."
    assert "“Jobs” must be 0 or more." == anchors["totals-jobs"]


def test_a_conditional_question_is_required_only_when_its_condition_holds(app):
    sample = definition()
    base = {"name": "Ada", "people": [{"who": "Ada"}]}
    assert formdefs.missing_required(sample, {**base, "agree": False}) == []
    assert formdefs.missing_required(sample, {**base, "agree": True}) == ["Why"]
    _, form = post_page(app, sample, "one", {"name": "Ada", "agree": "no"}, enforce_required=True)
    assert errors_of(form) == {}
    _, form = post_page(app, sample, "one", {"name": "Ada", "agree": "yes"}, enforce_required=True)
    assert errors_of(form) == {"why": ["Enter an answer for “Why”."]}


def test_a_hidden_answer_is_kept_but_left_out_of_the_read_only_view(app):
    sample = definition()
    answers = {"name": "Ada", "agree": False, "why": "Typed before changing my mind"}
    labels = [row.label for section in formdefs.answer_sections(sample, answers) for row in section.rows]
    assert "Why" not in labels and "Do you agree?" in labels
    labels = [row.label for section in formdefs.answer_sections(sample, {**answers, "agree": True})
              for row in section.rows]
    assert "Why" in labels


def test_conditions_inside_an_item_look_at_the_same_item(app):
    sample = definition()
    rows = formdefs.answer_sections(sample, {"people": [{"who": "A", "role": "lead", "note": "n1"},
                                                        {"who": "B", "role": "member", "note": "n2"}]})
    people = next(row for s in rows for row in s.rows if row.field_id == "people")
    (first_title, first), (second_title, second) = people.items
    assert [r.label for r in first] == ["Who", "Role", "Note"]
    assert [r.label for r in second] == ["Who", "Role"]


def test_blind_view_hides_identity_fields_everywhere(app):
    sample = definition()
    answers = {"name": "Ada", "people": [{"who": "Secret Person", "role": "lead"}]}
    sections = formdefs.answer_sections(sample, answers, blind=True)
    people = next(row for s in sections for row in s.rows if row.field_id == "people")
    assert [r.label for r in people.items[0][1]] == ["Role", "Note"]


def test_the_condition_is_marked_for_the_script_and_explained_without_it(app, client):
    sample = definition()
    from grantflow.core.formdefs.templating import condition_for

    why = sample.field("why")
    cond = condition_for(sample, why, {}, "", {"agree", "why"})
    assert cond["name"] == "agree" and cond["values"] == ["yes"]
    assert "Do you agree?" in cond["note"]
    # on another page the server decides: not shown at all when it does not hold
    assert condition_for(sample, why, {"agree": False}, "", {"why"}) is False
    assert condition_for(sample, why, {"agree": True}, "", {"why"}) is None
