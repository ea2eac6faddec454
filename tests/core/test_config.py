"""Configuration from the environment, and a factory without side effects."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from grantflow import create_app
from grantflow.config import ConfigError, load_config
from grantflow.core.audit import record_event
from grantflow.core.models import AuditEvent
from grantflow.extensions import db


def test_production_requires_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path, {"GRANTFLOW_ENV": "production"})


def test_development_secret_key_is_generated_once_and_kept(tmp_path):
    first = load_config(tmp_path, {})["SECRET_KEY"]
    second = load_config(tmp_path, {})["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("given, expected", [
    (None, "sqlite:///{instance}/grantflow.sqlite"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
])
def test_database_url(tmp_path, given, expected):
    env = {"DATABASE_URL": given} if given else {}
    assert load_config(tmp_path, env)["SQLALCHEMY_DATABASE_URI"] == expected.format(instance=tmp_path)


def test_production_cookies_are_secure(tmp_path):
    config = load_config(tmp_path, {"GRANTFLOW_ENV": "production", "SECRET_KEY": "x" * 32})
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_redis_unset_means_in_process_jobs(tmp_path):
    assert load_config(tmp_path, {})["REDIS_URL"] is None
    assert load_config(tmp_path, {"REDIS_URL": "redis://x:6379/0"})["REDIS_URL"] == "redis://x:6379/0"


def test_factory_runs_no_sql(tmp_path):
    statements = []

    def count(*args):
        statements.append(args[2])

    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", count)
    try:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}", "SECRET_KEY": "k"})
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert statements == []


def test_audit_log_is_append_only(f):
    user = f.create_user("admin")
    db.session.commit()
    entry = record_event(actor=user, action="test.event", subject=user)
    db.session.flush()
    entry.comment = "rewritten"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    entry = record_event(actor=user, action="test.event", subject=user)
    db.session.flush()
    db.session.delete(entry)
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    assert db.session.query(AuditEvent).count() == 0
    assert user.id is not None
