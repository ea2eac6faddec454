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


def _diff_after_upgrade(make_app, url: str) -> list:
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    return diff


def test_migrations_match_models_on_sqlite(make_app, tmp_path):
    assert _diff_after_upgrade(make_app, f"sqlite:///{tmp_path / 'migrated.sqlite'}") == []


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
