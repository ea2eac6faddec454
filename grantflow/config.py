"""Configuration read from the environment.

Everything a deployment changes is an environment variable; everything a fund
changes lives in ``workflows/``, ``forms/`` and ``templates/``.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised when the configuration cannot work (shown as a clear message, not a trace)."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret_key(instance_path: Path) -> str:
    """A development secret generated once and kept in the instance folder, so
    sessions survive restarts without anyone having to set SECRET_KEY."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(instance_path: Path, env: dict | None = None) -> dict:
    env = dict(os.environ if env is None else env)
    production = env.get("GRANTFLOW_ENV", "development") == "production"
    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError("SECRET_KEY must be set when GRANTFLOW_ENV=production.")
        secret_key = _instance_secret_key(instance_path)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'grantflow.sqlite'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    root = Path(env.get("GRANTFLOW_ROOT", PROJECT_ROOT))
    storage = env.get("GRANTFLOW_STORAGE", "local").strip().lower() or "local"
    if storage not in ("local", "s3"):
        raise ConfigError(f"GRANTFLOW_STORAGE must be “local” or “s3”, not “{storage}”.")
    if storage == "s3" and not env.get("GRANTFLOW_S3_BUCKET"):
        raise ConfigError("GRANTFLOW_S3_BUCKET must name a bucket when GRANTFLOW_STORAGE=s3.")
    return {
        "GRANTFLOW_ENV": "production" if production else "development",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": env.get("REDIS_URL") or None,
        "RQ_QUEUE": env.get("RQ_QUEUE", "grantflow"),
        # a running job renews its lease (heartbeat) every quarter of this; one
        # silent for longer has lost its worker and is retried by the dispatcher
        "JOB_LEASE_SECONDS": int(env.get("GRANTFLOW_JOB_LEASE_SECONDS", 60)),
        "JOB_MAX_ATTEMPTS": int(env.get("GRANTFLOW_JOB_MAX_ATTEMPTS", 3)),
        "JOB_RETRY_SECONDS": int(env.get("GRANTFLOW_JOB_RETRY_SECONDS", 30)),
        "JOB_SWEEP_SECONDS": int(env.get("GRANTFLOW_JOB_SWEEP_SECONDS", 30)),
        # the shared cache (core.cache): installations sharing one Redis database keep apart by prefix
        "CACHE_KEY_PREFIX": env.get("GRANTFLOW_CACHE_PREFIX", "grantflow:"),
        "WORKFLOWS_DIR": Path(env.get("GRANTFLOW_WORKFLOWS_DIR", root / "workflows")),
        "FORMS_DIR": Path(env.get("GRANTFLOW_FORMS_DIR", root / "forms")),
        "TEMPLATES_DIR": Path(env.get("GRANTFLOW_TEMPLATES_DIR", root / "templates")),
        "STATIC_DIR": Path(env.get("GRANTFLOW_STATIC_DIR", root / "static")),
        "UPLOAD_DIR": Path(env.get("GRANTFLOW_UPLOAD_DIR", instance_path / "uploads")),
        "LETTER_DIR": Path(env.get("GRANTFLOW_LETTER_DIR", instance_path / "letters")),
        "EXPORT_DIR": Path(env.get("GRANTFLOW_EXPORT_DIR", instance_path / "exports")),
        "STORAGE": storage,
        "S3_BUCKET": env.get("GRANTFLOW_S3_BUCKET") or None,
        "S3_ENDPOINT_URL": env.get("GRANTFLOW_S3_ENDPOINT_URL") or None,
        "S3_REGION": env.get("GRANTFLOW_S3_REGION") or None,
        "S3_PREFIX": env.get("GRANTFLOW_S3_PREFIX", ""),
        "MAX_UPLOAD_BYTES": int(env.get("GRANTFLOW_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", 25)),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "grants@localhost"),
        "BASE_URL": env.get("GRANTFLOW_BASE_URL", "http://127.0.0.1:5000"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "WTF_CSRF_TIME_LIMIT": 3600 * 8,
        "PASSWORD_RESET_MAX_AGE": int(env.get("GRANTFLOW_RESET_MAX_AGE", 3600)),
        "INVITE_MAX_AGE": int(env.get("GRANTFLOW_INVITE_MAX_AGE", 7 * 24 * 3600)),
        "RATE_LIMITS": _bool(env.get("GRANTFLOW_RATE_LIMITS"), default=True),
        "TRUSTED_PROXIES": int(env.get("GRANTFLOW_TRUSTED_PROXIES", 0)),
        "PUBLISHER_PREFIX": env.get("GRANTFLOW_360_PREFIX", "usocsd"),
        # webhooks: seconds to connect and to read the answer; tries per delivery;
        # private addresses in production (see grantflow/webhooks/addresses.py)
        "WEBHOOK_TIMEOUT_SECONDS": float(env.get("GRANTFLOW_WEBHOOK_TIMEOUT_SECONDS", 5)),
        "WEBHOOK_MAX_ATTEMPTS": int(env.get("GRANTFLOW_WEBHOOK_MAX_ATTEMPTS", 5)),
        "WEBHOOK_ALLOW_PRIVATE": _bool(env.get("GRANTFLOW_WEBHOOK_ALLOW_PRIVATE")),
    }
