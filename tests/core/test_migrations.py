"""The Alembic migrations create exactly the models' schema, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
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
    """What autogenerate finds between the migrated schema and the models; the
    migrations leave no trigger (autogenerate cannot see them)."""
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            assert triggers(conn) == {}
        db.engine.dispose()
    return diff


def test_migrations_match_models_on_sqlite(make_app, tmp_path):
    assert _diff_after_upgrade(make_app, f"sqlite:///{tmp_path / 'migrated.sqlite'}") == []


def test_0005_drops_the_tallies_and_round_list_triggers_and_downgrade_restores_them(make_app, tmp_path, f):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'older.sqlite'}")
    with app.app_context():
        upgrade(revision="0003")
        with db.engine.connect() as conn:
            assert len(triggers(conn)) == 7
        # plain rows: the models have columns that later migrations add
        now = "2026-01-01 00:00:00"
        db.session.execute(text(
            "INSERT INTO funds (id, slug, name, description, funder_name, settings, created_at, updated_at) "
            "VALUES (1, 'f', 'F', '', 'F', '{}', :now, :now)"), {"now": now})
        db.session.execute(text(
            "INSERT INTO rounds (id, fund_id, name, description, opens_at, closes_at, budget_cents, "
            "min_request_cents, max_request_cents, max_period_months, workflow_key, workflow_version, form_key, "
            "reviews_per_application, is_blind_review, settings, created_at, updated_at) VALUES (1, 1, 'R', '', "
            ":now, '2027-01-01 00:00:00', 0, 0, 1, 24, 'local_to_global', 1, 'local_to_global', 3, 0, '{}', "
            ":now, :now)"), {"now": now})
        organisation = f.create_organisation()
        for n, state in enumerate(("draft", "submitted"), start=1):
            db.session.execute(text(
                "INSERT INTO applications (id, round_id, organisation_id, workflow_key, workflow_version, state, "
                "form_key, form_version, answers, title, themes, version, created_at, updated_at, "
                "state_changed_at) VALUES (:id, 1, :org, 'local_to_global', 1, :state, 'local_to_global', 1, "
                "'{}', '', '[]', 1, :now, :now, :now)"), {"id": n, "org": organisation.id, "state": state, "now": now})
        db.session.commit()
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"application_tallies", "round_list_changes"}.isdisjoint(tables)
        with db.engine.connect() as conn:
            assert triggers(conn) == {}
        downgrade(revision="0003")
        with db.engine.connect() as conn:
            assert len(triggers(conn)) == 7
        tallied = db.session.execute(text("SELECT state, sum(delta) FROM application_tallies "
                                          "GROUP BY state ORDER BY state")).all()
        assert [tuple(row) for row in tallied] == [("draft", 1), ("submitted", 1)]
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
