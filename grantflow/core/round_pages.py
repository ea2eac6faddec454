"""The round-level pages an administrator reaches from a round's hub page
(``staff.round``). A domain that adds a page about one round registers it
here, so the hub links it without knowing the domain:

    round_pages.register("Messages to applicants", "webhooks.round_messages",
                         description="Write to every applicant of the round.", order=70)

The endpoint takes ``round_id`` (or give ``url_args``: round -> URL
arguments). ``tests/staff/test_round_hub.py`` fails for a GET route with a
``round_id`` that the hub does not link."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, url_for


@dataclass(frozen=True)
class RoundPage:
    label: str
    endpoint: str
    description: str
    order: int
    url_args: Callable | None


_PAGES: list[RoundPage] = []


def register(label: str, endpoint: str, *, description: str = "", order: int = 50,
             url_args: Callable | None = None) -> None:
    if not any(page.endpoint == endpoint for page in _PAGES):
        _PAGES.append(RoundPage(label, endpoint, description, order, url_args))


def pages_for(round_) -> list[tuple[str, str, str]]:
    """(label, URL, description) of every registered page this installation serves."""
    return [(page.label, url_for(page.endpoint, **(page.url_args(round_) if page.url_args else {"round_id": round_.id})),
             page.description)
            for page in sorted(_PAGES, key=lambda p: (p.order, p.label)) if page.endpoint in current_app.view_functions]
