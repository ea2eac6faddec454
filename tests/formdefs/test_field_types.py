"""Each field type: what a person types, what is stored, and what is refused
(with a message that names the question)."""
from __future__ import annotations

import pytest

from grantflow.core import formdefs

from .helpers import definition, errors_of, post_page

ACCEPTED = [
    # (field, posted, stored)
    ("name", "  Ada Lovelace ", "Ada Lovelace"),
    ("story", "two\r\nlines", "two\nlines"),
    ("count", "3", 3),
    ("count", " 4 ", 4),
    ("budget", "$1,000.50", 100050),
    ("budget", "10", 1000),
    ("start", "2026-03-31", "2026-03-31"),
    ("start", "03/31/2026", "2026-03-31"),
    ("colour", "green", "green"),
    ("tags", ["a", "c"], ["a", "c"]),
    ("agree", "yes", True),
    ("agree", "no", False),
    ("email", "Ada@Example.GOV", "Ada@example.gov"),
    ("phone", "(515) 555-0142 ext 12", "(515) 555-0142 ext 12"),
    ("site", "city.gov/international", "https://city.gov/international"),
    ("site", "http://www.city.gov", "http://www.city.gov"),
]

REFUSED = [
    # (field, posted, part of the message)
    ("name", "Ada Lovelace King", "“Name” must be 15 characters or fewer (it has 17)"),
    ("name", "R2D2", "Use letters only."),
    ("story", "x" * 21, "“Story” must be 20 characters or fewer"),
    ("count", "3.5", "Enter a whole number"),
    ("count", "six", "Enter a whole number"),
    ("count", "9", "“Count” must be between 1 and 5"),
    ("budget", "12.345", "Enter an amount in dollars"),
    ("budget", "lots", "Enter an amount in dollars"),
    ("budget", "5", "“Budget” must be between $10 and $1,000.50"),
    ("start", "2026-02-30", "Enter a real date"),
    ("colour", "blue", "Choose one of the options"),
    ("tags", ["a", "b", "c"], "Choose at most 2 for “Tags” (you chose 3)"),
    ("tags", ["z"], "Choose from the options shown"),
    ("agree", "maybe", "Choose Yes or No"),
    ("email", "not-an-address", "Enter an email address like name@city.gov"),
    ("phone", "12", "Enter a phone number like 515-555-0142"),
    ("phone", "call me", "Enter a phone number"),
    ("site", "not a web address", "Enter a web address"),
]


@pytest.mark.parametrize("field_id, posted, stored", ACCEPTED)
def test_accepted_answers_are_stored_in_the_field_format(app, field_id, posted, stored):
    result, form = post_page(app, definition(), "one", {field_id: posted})
    assert errors_of(form) == {}
    assert result.answers[field_id] == stored


@pytest.mark.parametrize("field_id, posted, message", REFUSED)
def test_refused_answers_explain_themselves_and_keep_what_was_typed(app, field_id, posted, message):
    previous = {"name": "Grace", "count": 2, "budget": 5000, "start": "2026-01-01", "colour": "red",
                "tags": ["a"], "agree": True, "email": "a@b.gov", "phone": "515-555-0100",
                "site": "https://a.gov", "story": "short"}
    result, form = post_page(app, definition(), "one", {field_id: posted}, answers=previous)
    messages = " ".join(m for _, m in formdefs.error_list(form))
    assert message in messages
    # the stored answer is not replaced by the invalid one ...
    assert result.answers.get(field_id) == previous.get(field_id)
    # ... and the typed text comes back in the input
    if isinstance(posted, str) and field_id not in ("colour", "agree"):
        with app.test_request_context():
            assert posted.replace("\r\n", "\n") in form[field_id]() or form[field_id]._value() == posted


def test_empty_optional_answers_are_not_errors_and_are_not_stored(app):
    result, form = post_page(app, definition(), "one", {"count": "", "budget": "  ", "start": "", "email": ""},
                             answers={"count": 3})
    assert errors_of(form) == {}
    assert "count" not in result.answers and "budget" not in result.answers


def test_a_field_missing_from_a_post_keeps_its_answer(app):
    """A partial post (an old tab, a script) must not erase answers it did not send."""
    result, _ = post_page(app, definition(), "one", {"count": "4"}, answers={"name": "Grace", "count": 2})
    assert result.answers == {"name": "Grace", "count": 4}


def test_unticking_every_checkbox_clears_a_multiple_choice(app):
    result, _ = post_page(app, definition(), "one", {"name": "Grace"}, answers={"tags": ["a"]})
    assert "tags" not in result.answers


def test_required_answers_are_checked_only_on_save_and_continue(app):
    _, draft_form = post_page(app, definition(), "one", {"story": "hello"}, enforce_required=False)
    assert errors_of(draft_form) == {}
    result, form = post_page(app, definition(), "one", {"story": "hello"}, enforce_required=True)
    assert errors_of(form) == {"name": ["Enter an answer for “Name”."]}
    assert [p.label for p in result.problems] == ["Name"]


def test_a_format_error_is_not_doubled_by_a_required_message(app):
    _, form = post_page(app, definition(), "one", {"name": "R2D2"}, enforce_required=True)
    assert errors_of(form)["name"] == ["Use letters only."]


def test_rules_across_fields_are_shown_next_to_the_field(app):
    result, form = post_page(app, definition(), "one",
                             {"name": "Ada", "start": "2026-05-01", "finish": "2026-04-01"}, enforce_required=True)
    assert errors_of(form)["finish"] == ["The end date must be after the start date."]
    assert result.answers["finish"] == "2026-04-01"  # valid on its own: kept, but flagged


@pytest.mark.parametrize("kind, expected_input", [
    ("name", 'type="text"'), ("story", "<textarea"), ("count", 'inputmode="numeric"'),
    ("budget", 'inputmode="decimal"'), ("start", 'type="date"'), ("colour", 'type="radio"'),
    ("tags", 'type="checkbox"'), ("agree", 'value="yes"'), ("email", 'type="email"'),
    ("phone", 'type="tel"'), ("site", 'type="url"'), ("doc", 'type="file"'),
])
def test_each_type_renders_its_own_input(app, kind, expected_input):
    sample = definition()
    with app.test_request_context():
        form = formdefs.make_page_form(sample, sample.page("one"), {})
        assert expected_input in str(form[kind]())
