"""The navigation bar per role. Domains add entries with ``register``."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: tuple[str, ...]
    order: int = 50


_ITEMS: list[NavItem] = []


def register(label: str, endpoint: str, roles: tuple[str, ...], order: int = 50) -> None:
    if not any(item.endpoint == endpoint for item in _ITEMS):
        _ITEMS.append(NavItem(label, endpoint, roles, order))


def items_for(user) -> list[tuple[str, str]]:
    from flask import current_app

    shown = []
    for item in sorted(_ITEMS, key=lambda i: (i.order, i.label)):
        if item.endpoint in current_app.view_functions and any(user.has_role(r) for r in item.roles):
            shown.append((item.label, url_for(item.endpoint)))
    return shown
