"""Cursor pagination: a page ends with an opaque ``next_cursor`` that fetches the next.

A cursor is signed with the app's secret key (itsdangerous), so a client can
neither forge one nor edit the position inside; it also names the list and the
filters it was made for, so a cursor replayed on another list or with other
filters is refused (400) rather than silently skipping rows. Lists are in id
order and the cursor holds the last id seen (keyset pagination): a row added
meanwhile never shifts a page, and deep pages cost no more than the first."""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from .problems import ApiError

SALT = "grantflow.api.cursor"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def _scope(listing: str, filters: dict) -> str:
    described = listing + "?" + "&".join(f"{k}={filters[k]}" for k in sorted(filters) if filters[k] is not None)
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def encode(listing: str, filters: dict, last_id: int) -> str:
    return _serializer().dumps([_scope(listing, filters), last_id])


def decode(cursor: str | None, listing: str, filters: dict) -> int:
    """The last id before this page (0: the first page)."""
    if not cursor:
        return 0
    try:
        scope, last_id = _serializer().loads(cursor)
    except (BadData, TypeError, ValueError):
        raise ApiError(400, "The cursor is not one this API issued (copy next_cursor exactly).",
                       invalid_params=[{"name": "cursor", "reason": "not a valid cursor"}]) from None
    if scope != _scope(listing, filters) or not isinstance(last_id, int):
        raise ApiError(400, "This cursor belongs to another list or other filters; keep the filters of the "
                            "first page.", invalid_params=[{"name": "cursor", "reason": "other list or filters"}])
    return last_id


def page(query, id_column, listing: str, filters: dict, cursor: str | None, limit: int, session):
    """(rows, next_cursor): up to ``limit`` rows of ``query`` after the cursor, in id order."""
    after = decode(cursor, listing, filters)
    rows = session.execute(query.where(id_column > after).order_by(id_column).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode(listing, filters, rows[-1][0].id if hasattr(rows[-1][0], "id") else rows[-1][0]) \
        if more and rows else None
    return rows, next_cursor
