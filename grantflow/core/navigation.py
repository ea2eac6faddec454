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
    """The entries a user's roles see, built once per app, set of roles and
    script root (every signed-in page renders them; the links never change)."""
    from flask import current_app, request

    built = current_app.extensions.setdefault("navigation", {})
    key = (frozenset(user.roles), request.script_root, len(_ITEMS))
    if key not in built:
        built[key] = tuple(
            (item.label, url_for(item.endpoint)) for item in sorted(_ITEMS, key=lambda i: (i.order, i.label))
            if item.endpoint in current_app.view_functions and any(role in key[0] for role in item.roles))
    return list(built[key])
