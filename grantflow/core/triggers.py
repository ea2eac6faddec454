"""Database triggers the models need, installed by ``create_all`` as by the migrations.

Autogenerate cannot see triggers, so each set is written twice: here (for
``create_all``: tests, ``grantflow demo``'s fresh databases, benches) and in a
hand-written migration that must not change later. tests/core/test_migrations.py
checks that both give the same triggers."""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db

#: name -> (tables they need, {dialect name: statements})
_SETS: dict[str, tuple[frozenset, dict[str, tuple[str, ...]]]] = {}


def register(name: str, tables: set[str], statements: dict[str, tuple[str, ...]]) -> None:
    _SETS[name] = (frozenset(tables), statements)


def _install(target, connection, **kw) -> None:
    created = kw.get("tables")
    names = None if created is None else {t.name for t in created}
    for tables, statements in _SETS.values():
        if names is None or tables <= names:
            for statement in statements.get(connection.dialect.name, ()):
                connection.exec_driver_sql(statement)


def listen() -> None:
    if getattr(listen, "done", False):
        return
    sa.event.listen(db.metadata, "after_create", _install)
    listen.done = True
