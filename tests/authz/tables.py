"""Load and check every ``tests/authz/table_*.py`` and merge them into one table.

The format is documented in README.md next to this file. Loading fails loudly
(with the file name) on anything malformed, so a typo cannot silently skip a check.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .scenario import DEFAULT_URL_ARGS, ROLES

HERE = Path(__file__).parent
ENTRY_OPTIONS = {"args", "method", "data", "post", "needs"}
METHODS = {"GET", "POST"}


class TableError(Exception):
    pass


@dataclass
class Entry:
    endpoint: str
    source: str  # the table file, for messages
    expected: dict[str, Any]
    args: dict[str, Any] = field(default_factory=dict)
    method: str | None = None
    data: Any = None
    post: dict[str, Any] | None = None
    needs: tuple[str, ...] = ()
    key: str = ""  # the ROUTES key: the endpoint, or "endpoint#case" for a further case of one route


@dataclass
class Table:
    entries: dict[str, Entry]
    builders: dict[str, Any]
    url_args: dict[str, Any]
    sources: list[str]


def _check_statuses(where: str, statuses: dict) -> None:
    missing = [role for role in ROLES if role not in statuses]
    if missing:
        raise TableError(f"{where}: no expected status for {', '.join(missing)} "
                         f"(every entry names all of {', '.join(ROLES)})")
    for role in ROLES:
        value = statuses[role]
        values = value if isinstance(value, (tuple, set, frozenset, list)) else (value,)
        if not values or not all(isinstance(v, int) and 100 <= v < 600 for v in values):
            raise TableError(f"{where}: status for {role} must be an HTTP status code, got {value!r}")


def _entry(key: str, raw: dict, source: str) -> Entry:
    where = f"{source}: ROUTES[{key!r}]"
    endpoint = key.partition("#")[0]
    if not isinstance(raw, dict):
        raise TableError(f"{where} must be a dict")
    unknown = set(raw) - set(ROLES) - ENTRY_OPTIONS
    if unknown:
        raise TableError(f"{where}: unknown keys {sorted(unknown)}; allowed: roles {list(ROLES)} and "
                         f"{sorted(ENTRY_OPTIONS)}")
    _check_statuses(where, raw)
    if raw.get("method") is not None and raw["method"] not in METHODS:
        raise TableError(f"{where}: method must be one of {sorted(METHODS)}")
    if raw.get("post") is not None:
        if raw.get("method") == "POST":
            raise TableError(f"{where}: 'post' adds a POST check to a GET route; with method POST, "
                             "give the statuses directly")
        _check_statuses(where + "['post']", raw["post"])
    return Entry(endpoint=endpoint, key=key, source=source, expected={role: raw[role] for role in ROLES},
                 args=dict(raw.get("args") or {}), method=raw.get("method"), data=raw.get("data"),
                 post=raw.get("post"), needs=tuple(raw.get("needs") or ()))


def load() -> Table:
    entries: dict[str, Entry] = {}
    builders: dict[str, Any] = {}
    url_args: dict[str, Any] = dict(DEFAULT_URL_ARGS)
    sources = []
    for path in sorted(HERE.glob("table_*.py")):
        source = f"tests/authz/{path.name}"
        sources.append(source)
        module = importlib.import_module(f"{__package__}.{path.stem}")
        routes = getattr(module, "ROUTES", None)
        if not isinstance(routes, dict):
            raise TableError(f"{source} must define ROUTES = {{endpoint: {{role: status, ...}}}}")
        for key, raw in routes.items():
            if key in entries:
                raise TableError(f"{key!r} is in both {entries[key].source} and {source}")
            entries[key] = _entry(key, raw, source)
        for name, builder in getattr(module, "SCENARIO", {}).items():
            if name in builders and builders[name] is not builder:
                raise TableError(f"scenario object {name!r} is built by two table files; share one")
            builders[name] = builder
        for name, ref in getattr(module, "URL_ARGS", {}).items():
            if name in url_args and url_args[name] != ref:
                raise TableError(f"{source}: URL argument {name!r} already means {url_args[name]!r}")
            url_args[name] = ref
    return Table(entries=entries, builders=builders, url_args=url_args, sources=sources)


def table_file_for(endpoint: str) -> str:
    """Where a missing entry belongs: one file per blueprint (domain)."""
    blueprint = endpoint.split(".", 1)[0] if "." in endpoint else "core"
    return f"tests/authz/table_{blueprint}.py"
