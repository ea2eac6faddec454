"""Table rows rendered once per process for the values they show.

The staff list's 25 rows and a reviewer's queue of 40-odd are most of those
pages' time: Jinja spends ~15 us a row evaluating, formatting and escaping a
dozen values. A row's HTML is a pure function of its values (a named tuple
of plain columns), of the row template and of the script root its links start
with, so it is kept under exactly those: a row whose values change is a new
key, rendered afresh, and is never shown stale. Rows seen again (the first pages
of a list, a reviewer's queue between two reviews) cost a dictionary lookup.

A row template is a file with a macro ``row(item)``; it must show nothing but
``item``'s values and links built from them (no user, no request, no time).
"""
from __future__ import annotations

import threading
from typing import Hashable, Iterable

from flask import current_app, request
from markupsafe import Markup

#: rows kept per process, over all row templates (the oldest kept go first:
#: reordering on every hit, for a true least-recently-used order, cost more than
#: the lookups)
MAX_ROWS = 8192

_rows: dict = {}
_lock = threading.Lock()


def rendered_rows(template_name: str, items: Iterable[Hashable]) -> Markup:
    """``{{ rendered_rows("staff/_application_row.html", page.items) }}``: every
    item through the template's ``row`` macro, each rendered once per process."""
    # the Template object is part of the key: a reloaded (edited) template is a new object
    template = current_app.jinja_env.get_template(template_name)
    script_root = request.script_root if request else ""
    html, missing = [], []
    with _lock:
        for item in items:
            key = (template, script_root, item)
            found = _rows.get(key)
            if found is None:
                missing.append((len(html), key))
            html.append(found)
    if missing:
        row = template.module.row
        rendered = [(at, key, str(row(key[2]))) for at, key in missing]
        with _lock:
            for at, key, text in rendered:
                html[at] = text
                _rows[key] = text
            while len(_rows) > MAX_ROWS:
                del _rows[next(iter(_rows))]
    return Markup("".join(html))


def forget() -> None:
    with _lock:
        _rows.clear()
