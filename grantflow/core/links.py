"""Links to one page per row of a long list, built from a single ``url_for``.

A list of 25 or 50 rows, each linking to its own record, called ``url_for`` once
per row: the route is matched and built again every time, most of the cost of a
row. ``id_links`` builds the URL once, with a marker number in place of the id,
and splits it there: each row's link is then the prefix, its id, the rest. It is
the URL ``url_for`` gives (same script root, same route), as an integer id is
written in a URL as its digits, with nothing to quote."""
from __future__ import annotations

from typing import Callable

from flask import url_for

# a number no id reaches, so it appears in the built URL only where the id goes
_MARKER = 9_876_543_210_123_456_789


def id_links(endpoint: str, id_argument: str, **values) -> Callable[[int], str]:
    """``link(id) == url_for(endpoint, **{id_argument: id}, **values)`` for every
    id (a non-negative integer, as the ``int`` converter takes), with url_for
    called once here rather than once per id."""
    url = url_for(endpoint, **{id_argument: _MARKER}, **values)
    prefix, marker, rest = url.partition(str(_MARKER))
    if not marker or str(_MARKER) in rest:
        raise ValueError(f"{endpoint}: {id_argument} does not appear once in its URL {url!r}")

    def link(id_: int) -> str:
        return f"{prefix}{int(id_)}{rest}"

    return link
