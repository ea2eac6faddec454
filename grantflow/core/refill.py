"""Put posted values back into a rendered page's form (nothing typed is lost).

When a post cannot be accepted as it is (an expired session or CSRF token),
the person is sent back to the page that holds the form, and the values they
typed are written into that page's HTML: the form that posts to the same
address gets its text inputs, text areas, choices and check boxes set from the
values. This works on the HTML, so every form (WTForms, the generated
application and report pages, hand-written templates) is covered without code
of its own. Only the tags touched are rewritten; the rest of the page stays
byte for byte as rendered.

Never filled: passwords, files, hidden inputs (tokens, versions) and buttons.
Values whose field is not on the page (an item added to a repeated group, say)
are returned as ``unplaced`` so the caller can show them to copy."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

#: input types whose value is text the person typed
TEXT_TYPES = frozenset({"text", "email", "number", "date", "tel", "url", "search", "datetime-local", "month",
                        "time", "week", "color", "range"})
#: inputs that are never filled (and whose posted values are not shown as unplaced)
NEVER_FILLED = frozenset({"hidden", "password", "file", "submit", "button", "image", "reset"})


@dataclass
class Refilled:
    html: str
    #: where a notice about the values belongs (before the form, or the top of <main>)
    notice_at: int
    #: posted values with no field on the page, in posted order
    unplaced: list[tuple[str, str]] = field(default_factory=list)
    found_form: bool = False


def _start_tag(tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> str:
    parts = [tag] + [name if value is None else f'{name}="{escape(value, quote=True)}"' for name, value in attrs]
    return "<" + " ".join(parts) + (" />" if closed else ">")


def _with(attrs, name: str, value: str | None, present: bool = True):
    kept = [(k, v) for k, v in attrs if k != name]
    return kept + [(name, value)] if present else kept


class _Filler(HTMLParser):
    def __init__(self, html: str, action_path: str, page_path: str, values: list[tuple[str, str]]):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.action_path = action_path
        self.page_path = page_path
        self.queue: dict[str, list[str]] = defaultdict(list)  # text values still to place, by name
        self.chosen: dict[str, set[str]] = defaultdict(set)  # every value posted, by name (choices)
        for name, value in values:
            self.queue[name].append(value)
            self.chosen[name].add(value)
        self.placed_names: set[str] = set()
        self.edits: list[tuple[int, int, str]] = []
        self.line_starts = [0]
        for index, char in enumerate(html):
            if char == "\n":
                self.line_starts.append(index + 1)
        self.in_form = False
        self.form_done = False
        self.form_at: int | None = None
        self.main_at: int | None = None
        self.select_name: str | None = None
        self.textarea: tuple[str, int] | None = None  # (name, where its text starts)
        self.details: list[tuple[int, str, list]] = []  # open <details> around here: (offset, raw tag, attrs)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _is_target(self, attrs: dict) -> bool:
        if (attrs.get("method") or "get").lower() != "post":
            return False
        action = attrs.get("action")
        return (urlsplit(action).path if action else self.page_path) == self.action_path

    def _replace_tag(self, tag, attrs, new_attrs):
        start = self._offset()
        raw = self.get_starttag_text() or ""
        self.edits.append((start, start + len(raw), _start_tag(tag, new_attrs, raw.endswith("/>"))))

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if tag == "main" and self.main_at is None:
            self.main_at = self._offset() + len(self.get_starttag_text() or "")
        if tag == "details":
            self.details.append((self._offset(), self.get_starttag_text() or "", attrs))
        if tag == "form":
            if not self.form_done and self._is_target(named):
                self.in_form, self.form_at = True, self._offset()
                for start, raw, details_attrs in self.details:  # a closed disclosure would hide the values
                    self.edits.append((start, start + len(raw), _start_tag("details", _with(details_attrs, "open", None),
                                                                           False)))
            return
        if not self.in_form:
            return
        name = named.get("name")
        if tag == "option" and self.select_name is not None:
            wanted = named.get("value") in self.chosen[self.select_name]
            self._replace_tag(tag, attrs, _with(attrs, "selected", None, wanted))
            return
        if not name or "disabled" in named:
            return
        kind = (named.get("type") or "text").lower()
        if tag == "select":
            self.select_name = name
            self.placed_names.add(name)
        elif tag == "textarea":
            self.textarea = (name, self._offset() + len(self.get_starttag_text() or ""))
        elif tag == "button" or (tag == "input" and kind in NEVER_FILLED):
            self.placed_names.add(name)
        elif tag == "input" and kind in ("checkbox", "radio"):
            self.placed_names.add(name)
            self._replace_tag(tag, attrs, _with(attrs, "checked", None, named.get("value", "on") in self.chosen[name]))
        elif tag == "input" and kind in TEXT_TYPES and self.queue.get(name):
            self._replace_tag(tag, attrs, _with(attrs, "value", self.queue[name].pop(0)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "details" and self.details:
            self.details.pop()
        if tag == "form" and self.in_form:
            self.in_form, self.form_done = False, True
        elif tag == "select":
            self.select_name = None
        elif tag == "textarea" and self.textarea is not None:
            name, start = self.textarea
            self.textarea = None
            if self.queue.get(name):
                # a newline right after <textarea> is dropped by browsers: keep the text's own first line
                self.edits.append((start, self._offset(), "\n" + escape(self.queue[name].pop(0), quote=False)))

    def result(self) -> Refilled:
        html = self.html
        for start, end, text in sorted(self.edits, reverse=True):
            html = html[:start] + text + html[end:]
        unplaced = []
        for name, values in self.queue.items():
            if name in self.placed_names:  # choices, hidden inputs and buttons: nothing typed to show
                continue
            unplaced.extend((name, value) for value in values if value.strip())
        notice_at = self.form_at if self.form_at is not None else (self.main_at or 0)
        # edits before that point (an opened <details>) moved it
        notice_at += sum(len(text) - (end - start) for start, end, text in self.edits if end <= notice_at)
        return Refilled(html=html, notice_at=notice_at, unplaced=unplaced, found_form=self.form_at is not None)


def refill(html: str, *, action_path: str, page_path: str, values: list[tuple[str, str]]) -> Refilled:
    """``html`` with the first form posting to ``action_path`` filled from ``values``."""
    filler = _Filler(html, action_path, page_path, values)
    filler.feed(html)
    filler.close()
    return filler.result()
