"""core.refill: posted values written back into the form that posts to the same address."""
from __future__ import annotations

import pytest

from grantflow.core.refill import refill

PAGE = """<main id="main"><h1>Page</h1>
<form method="get" action="/search"><input name="q" value=""></form>
<details><summary>More</summary>
<form method="post" action="/things/1/save">
<input type="hidden" name="csrf_token" value="fresh">
<input type="hidden" name="version" value="7">
<input name="title" value="">
<input type="email" name="email">
<textarea name="body">
Saved text</textarea>
<select name="kind"><option value="a" selected>A</option><option value="b">B</option></select>
<input type="checkbox" name="tags" value="x" checked><input type="checkbox" name="tags" value="y">
<input type="radio" name="size" value="s"><input type="radio" name="size" value="l">
<input type="password" name="password">
<input type="file" name="upload">
<button type="submit" name="action" value="submit">Save</button>
</form></details>
<form method="post"><input name="title" value="other form"></form>
</main>"""


@pytest.mark.parametrize("posted, present, absent", [
    ([("title", 'A "quoted" <title>')], ['value="A &quot;quoted&quot; &lt;title&gt;"'], ['<title>"']),
    ([("email", "ada@ames.gov")], ['type="email" name="email" value="ada@ames.gov"'], []),
    ([("body", "Line one\nline & two")], ['<textarea name="body">\nLine one\nline &amp; two</textarea>'],
     ["Saved text"]),
    ([("kind", "b")], ['<option value="a">A</option>', '<option value="b" selected>B</option>'], []),
    ([("tags", "y")], ['value="x">', 'value="y" checked>'], ['value="x" checked']),
    ([("size", "l")], ['value="l" checked'], ['value="s" checked']),
    # hidden inputs keep the page's fresh values; passwords and files are never filled
    ([("csrf_token", "stale"), ("version", "6")], ['value="fresh"', 'value="7"'], ['"stale"', 'value="6"']),
    ([("password", "hunter2")], [], ["hunter2"]),
    # the form sits in a closed disclosure: it is opened so the values show
    ([("title", "T")], ["<details open>"], []),
    # a form of another address on the same page is left alone
    ([("title", "T")], ['value="other form"'], []),
])
def test_the_form_of_the_address_gets_the_values(posted, present, absent):
    html = refill(PAGE, action_path="/things/1/save", page_path="/things/1", values=posted).html
    for text in present:
        assert text in html
    for text in absent:
        assert text not in html


def test_values_without_a_field_are_returned_to_show():
    result = refill(PAGE, action_path="/things/1/save", page_path="/things/1",
                    values=[("title", "first"), ("title", "second"), ("items-3-name", "added item"),
                            ("items-4-name", "   "), ("action", "submit"), ("tags", "z")])
    assert result.found_form
    assert result.unplaced == [("title", "second"), ("items-3-name", "added item")]


def test_the_notice_goes_right_before_the_form_even_after_opening_a_disclosure():
    result = refill(PAGE, action_path="/things/1/save", page_path="/things/1", values=[("title", "T")])
    assert result.html[result.notice_at:].startswith('<form method="post" action="/things/1/save">')


def test_a_form_posting_to_its_own_page_is_found_without_an_action():
    result = refill(PAGE, action_path="/things/2", page_path="/things/2", values=[("title", "Mine")])
    assert 'value="Mine"' in result.html and 'value="other form"' not in result.html


def test_no_form_of_that_address_puts_the_notice_at_the_top_and_returns_everything():
    result = refill(PAGE, action_path="/elsewhere", page_path="/things/1", values=[("title", "T")])
    assert not result.found_form and result.html == PAGE
    assert result.html[result.notice_at:].startswith("<h1>Page</h1>")
    assert result.unplaced == [("title", "T")]
