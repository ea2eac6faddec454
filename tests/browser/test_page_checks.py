"""The page checks of the accessibility crawl find what they claim to find:
each is run on a small page with the fault, and on the same page without it."""
from __future__ import annotations

import pytest

from tests.browser.page_checks import (
    VIEWPORT, axe_violations, error_problems, keyboard_problems, markup_problems, reflow_problems,
)

pytestmark = pytest.mark.browser

STYLE = "<style>:focus { outline: 3px solid #f2b705; }</style>"


@pytest.fixture
def blank(browser):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    yield lambda body, title="Page": (page.set_content(
        f"<!doctype html><html lang='en'><head><title>{title}</title>{STYLE}</head>"
        f"<body><main>{body}</main></body></html>"), page)[1]
    context.close()


def test_axe_reports_a_field_without_a_label(blank):
    assert "label" in {v["id"] for v in axe_violations(blank("<input type='text'>"))}
    assert axe_violations(blank("<label for='a'>Name</label><input id='a' type='text'>")) == []


@pytest.mark.parametrize("body, problem", [
    ("<p id='x'>one</p><p id='x'>two</p>", 'id "x" is used 2 times'),
    ("<input aria-describedby='gone' aria-label='Name'>", 'aria-describedby="gone"'),
    ("<label for='nothing'>Name</label>", '<label for="nothing"> labels no form control'),
    ("<a href='#nowhere'>Skip</a>", "link to #nowhere goes nowhere"),
    ("<button tabindex='2'>Go</button>", "positive tabindex"),
])
def test_markup_problems(blank, body, problem):
    found = markup_problems(blank(body))
    assert any(problem in line for line in found), found


def test_sound_markup_has_no_problems(blank):
    page = blank("<a href='#f'>Jump</a><label for='f'>Name</label><p id='h'>Hint</p>"
                 "<input id='f' aria-describedby='h'>")
    assert markup_problems(page) == []


def test_reflow_finds_a_box_wider_than_320_pixels_but_not_a_table(blank):
    assert reflow_problems(blank("<div id='wide' style='width: 600px'>x</div>")) == ["<div id=wide>"]
    assert reflow_problems(blank("<table><tr><td style='width: 600px'>data</td></tr></table>")) == []


ERRORS = ("<div role='alert'><h2>There is a problem</h2><a href='#name'>Enter your name</a></div>"
          "<label for='name'>Name</label><p class='error-message' id='name-error'>Enter your name</p>"
          "<input id='name' aria-invalid='true' {described}>")


def test_errors_must_be_in_the_field_description_and_the_title(blank):
    assert error_problems(blank(ERRORS.format(described="aria-describedby='name-error'"), "Error: Sign up")) == []
    found = error_problems(blank(ERRORS.format(described=""), "Sign up"))
    assert any("not linked to its field" in line for line in found)
    assert any("marked invalid" in line for line in found)
    assert any('does not start with "Error:"' in line for line in found)


def test_keyboard_walk_finds_a_hidden_focus(blank):
    page = blank("<form method='post'><input name='a' aria-label='A'>"
                 "<input name='b' aria-label='B' style='outline: none'><button>Send</button></form>")
    assert keyboard_problems(page, "form") == ["the focus on <input> “b” is not visible"]


def test_keyboard_walk_finds_controls_out_of_the_tab_order(blank):
    page = blank("<form method='post'><select name='s' aria-label='S' tabindex='-1'></select>"
                 "<div role='button' onclick='1'>Go</div></form>")
    found = keyboard_problems(page, "form")
    assert len(found) == 2 and all(line.startswith("Tab never reaches") for line in found), found


def test_keyboard_walk_takes_a_radio_group_as_one_stop_and_starts_at_the_top(blank):
    page = blank("<form method='post'><input type='radio' name='r' aria-label='R1'>"
                 "<input type='radio' name='r' aria-label='R2'>"
                 "<button tabindex='-1' aria-hidden='true'>Default</button><button>Send</button></form>")
    page.get_by_role("button", name="Send").focus()  # e.g. a test filled the form first
    assert keyboard_problems(page, "form") == []
