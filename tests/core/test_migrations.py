"""The Alembic migrations create exactly the models' schema, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from grantflow.extensions import db

from tests.conftest import POSTGRES_URL, require_service


def triggers(conn) -> dict:
    """The database's triggers (and on PostgreSQL their function), by name, as the database prints them."""
    if conn.dialect.name == "sqlite":
        return dict(conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all())
    found = dict(conn.execute(text("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"))
                 .all())
    found.update(conn.execute(text(
        "SELECT proname, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public' AND p.prorettype = 'trigger'::regtype")).all())
    return found


def _diff_after_upgrade(make_app, url: str) -> list:
    """What autogenerate finds between the migrated schema and the models, plus
    any difference in triggers (which autogenerate cannot see) from the test
    database, which ``create_all`` built."""
    with db.engine.connect() as conn:
        built = triggers(conn) if conn.dialect.name == url.split(":")[0].split("+")[0] else None
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            migrated = triggers(conn)
        db.engine.dispose()
    assert len(migrated) >= 7
    if built is not None:
        assert migrated == built
    return diff


def test_migrations_match_models_on_sqlite(make_app, tmp_path):
    assert _diff_after_upgrade(make_app, f"sqlite:///{tmp_path / 'migrated.sqlite'}") == []


def test_the_tallies_migration_counts_the_applications_already_there(make_app, tmp_path, f):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'older.sqlite'}")
    with app.app_context():
        upgrade(revision="0001")
        first, second = f.create_round(), f.create_round()
        for round_, state in ((first, "draft"), (first, "draft"), (first, "submitted"), (second, "draft")):
            f.create_application(round_, state=state)
        db.session.commit()
        upgrade()
        tallied = db.session.execute(text("SELECT round_id, state, sum(delta) FROM application_tallies "
                                          "GROUP BY round_id, state ORDER BY round_id, state")).all()
        assert [tuple(row) for row in tallied] == [(first.id, "draft", 2), (first.id, "submitted", 1),
                                                  (second.id, "draft", 1)]
        db.session.execute(text("UPDATE applications SET state = 'withdrawn' WHERE state = 'draft'"))
        counts = db.session.execute(text("SELECT sum(delta) FROM application_tallies WHERE state = 'draft'")).scalar()
        assert counts == 0
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
def test_migrations_match_models_on_postgresql(make_app):
    require_service("PostgreSQL", POSTGRES_URL)
    schema_db = f"gf_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{schema_db}"'))
    try:
        url = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{schema_db}"
        assert _diff_after_upgrade(make_app, url) == []
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{schema_db}" WITH (FORCE)'))
        admin.dispose()
