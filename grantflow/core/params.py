"""What comes in with every request, made safe once for every route.

- Whole numbers from URLs, query strings and forms never go beyond what the
  database stores: an id or a page number of 20 digits is a missing page
  (404), not a database error (500).
- Text loses the control characters nobody types (NUL, escape, ...; tabs and
  line breaks stay): pasted from a PDF or a terminal, they would otherwise
  fail the database (PostgreSQL refuses NUL in text) or break exports.
"""
from __future__ import annotations

import re

from flask import Request, abort, request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

#: PostgreSQL's integer, the type of every id column (a larger number in a
#: query would be a database error there, not a missing row)
MAX_ID = 2**31 - 1
#: far beyond any list, small enough for any OFFSET
MAX_PAGE = 1_000_000
_DIGITS = re.compile(r"[0-9]{1,19}")  # enough for MAX_PAGE and MAX_ID; longer is never a number we hold


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` in every route: 1 to ``MAX_ID``; anything else does not match (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def whole_number(value, *, maximum: int = MAX_ID) -> int | None:
    """``value`` as a whole number from 1 to ``maximum``, or None (absent, not
    ASCII digits, zero, or too large)."""
    text = str(value).strip() if value is not None else ""
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= maximum:
        return None
    return int(text)


def page_number(args=None) -> int:
    """``?page=``: 1 when absent; a page that cannot exist is not found."""
    raw = (args if args is not None else request.args).get("page")
    if raw in (None, ""):
        return 1
    page = whole_number(raw, maximum=MAX_PAGE)
    if page is None:
        abort(404, "There is no such page of this list.")
    return page


CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_control_characters(values: MultiDict) -> MultiDict:
    if not any(CONTROL_CHARACTERS.search(v) for v in values.values() if isinstance(v, str)):
        return values
    return type(values)([(key, CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value)
                         for key, value in values.items(multi=True)])


class CleanRequest(Request):
    """The request of every route: form values and query arguments without control characters."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_control_characters(self.__dict__["form"])

    @cached_property
    def args(self) -> MultiDict:
        return _without_control_characters(super().args)


def init_app(app) -> None:
    """Before any route is added: routes compile their converters when added."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.request_class = CleanRequest
