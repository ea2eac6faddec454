"""Count the SQL statements a block of code sends (Indico's query-counting
fixture): ``with count_queries() as queries: ...; assert len(queries) == 3``."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from grantflow.extensions import db


@contextmanager
def count_queries(engine=None):
    """Yields the list of statements sent, filled while the block runs."""
    engine = engine or db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
