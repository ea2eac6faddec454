"""Shared fixtures: one schema per test session, emptied after every test.

Set GRANTFLOW_TEST_DATABASE_URL to run the whole suite on PostgreSQL; set
GRANTFLOW_REQUIRE_SERVICES=1 (CI does) to fail, not skip, when PostgreSQL or
Redis are unreachable."""
from __future__ import annotations

import os
import re
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from grantflow import create_app
from grantflow.extensions import cache, db

from tests import factories

REQUIRE_SERVICES = os.environ.get("GRANTFLOW_REQUIRE_SERVICES") == "1"
TEST_DATABASE_URL = os.environ.get("GRANTFLOW_TEST_DATABASE_URL")
POSTGRES_URL = os.environ.get("GRANTFLOW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("GRANTFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def service_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, url: str) -> None:
    """Skip (developer machine) or fail (CI) when a service is not there."""
    if service_reachable(url):
        return
    message = f"{name} is not reachable at {url}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " and GRANTFLOW_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)


def _psycopg_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


_PRIVATE_DATABASES: list[str] = []


def private_postgres_database(base_url: str) -> str:
    """A fresh database on the server named by ``base_url``, dropped at exit,
    so that parallel test runs on one server never see each other's rows."""
    import atexit
    import uuid

    from sqlalchemy import create_engine

    name = f"gf_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(_psycopg_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()

    def drop():
        engine = create_engine(_psycopg_url(base_url), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    atexit.register(drop)
    _PRIVATE_DATABASES.append(name)
    return _psycopg_url(base_url).rsplit("/", 1)[0] + f"/{name}"


_SESSION_DATABASE_URL: dict[str, str] = {}


def _session_database_url(instance) -> str:
    if not TEST_DATABASE_URL:
        return f"sqlite:///{instance / 'test.sqlite'}"
    if "url" not in _SESSION_DATABASE_URL:
        _SESSION_DATABASE_URL["url"] = private_postgres_database(TEST_DATABASE_URL)
    return _SESSION_DATABASE_URL["url"]


def _test_config(tmp_path_factory) -> dict:
    instance = tmp_path_factory.mktemp("instance")
    url = _session_database_url(instance)
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATE_LIMITS": False,  # on only in the tests of the limits (tests/users/test_rate_limits.py)
        "REDIS_URL": None,
        # the shared cache is on, as in production; a prefix of its own when a test gives it Redis
        "CACHE_KEY_PREFIX": f"grantflow-test-{uuid.uuid4().hex[:8]}:",
        "MAIL_SERVER": None,
        "UPLOAD_DIR": instance / "uploads",
        "LETTER_DIR": instance / "letters",
        "EXPORT_DIR": instance / "exports",
        "SERVER_NAME": None,
    }


def _fast_sqlite(engine) -> None:
    """Tests do not need durability: skip the fsync on every commit."""
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA journal_mode=MEMORY")
        cursor.close()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    if TEST_DATABASE_URL:
        require_service("PostgreSQL", TEST_DATABASE_URL)
    app = create_app(_test_config(tmp_path_factory))
    with app.app_context():
        _fast_sqlite(db.engine)
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _empty_all_tables() -> None:
    """DELETE per table, children first: on PostgreSQL one TRUNCATE of every
    table costs ~0.8 s, DELETEs of a test's few rows ~20 ms. Ids are not reset:
    no test may rely on them."""
    db.session.rollback()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(text(f'DELETE FROM "{table.name}"'))
    cache.clear()  # a bulk change no operation reported: nothing kept may outlive it


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every test runs in an app context and leaves an empty database behind."""
    with app.app_context():
        yield
        db.session.remove()
        _empty_all_tables()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_app(tmp_path_factory):
    """Build a separate app with extra configuration (for start-up checks)."""

    def build(**overrides):
        config = _test_config(tmp_path_factory)
        config.update(overrides)
        return create_app(config)

    return build


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 server in a process of its own, spoken to over HTTP exactly as a
    real S3-compatible object store would be (no in-process mocking)."""
    import subprocess
    import sys
    import time

    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with open(log, "wb") as output:
        server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                  stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not service_reachable(url):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the moto S3 server did not start: {log.read_text()[-2000:]}", pytrace=False)
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def _use_s3(request, app, monkeypatch) -> None:
    """Point the app's storage at a fresh bucket of the moto server for one test."""
    import uuid

    from grantflow.core import storage

    endpoint = request.getfixturevalue("s3_server")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "grantflow-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "grantflow-test")
    bucket = f"grantflow-test-{uuid.uuid4().hex[:12]}"
    for name, value in {"STORAGE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint,
                        "S3_REGION": "us-east-1", "S3_PREFIX": "grantflow/"}.items():
        monkeypatch.setitem(app.config, name, value)
    storage._s3_client(app).create_bucket(Bucket=bucket)


@pytest.fixture(params=["local", "s3"])
def storage_backend(request, app, monkeypatch, tmp_path):
    """Runs a test once on local folders and once on S3, each empty at the start;
    returns the backend's name."""
    if request.param == "s3":
        _use_s3(request, app, monkeypatch)
    else:
        for name in ("UPLOAD_DIR", "LETTER_DIR", "EXPORT_DIR"):
            monkeypatch.setitem(app.config, name, tmp_path / name.lower())
    return request.param


@pytest.fixture
def s3_storage(request, app, monkeypatch):
    """For tests about the object store alone."""
    _use_s3(request, app, monkeypatch)
    return app.config["S3_BUCKET"]


@pytest.fixture
def postgres_app(app, make_app):
    """The suite's app when it runs on PostgreSQL, else an app on a private
    PostgreSQL database of its own (for races that need real row locks)."""
    require_service("PostgreSQL", TEST_DATABASE_URL or POSTGRES_URL)
    if db.engine.dialect.name == "postgresql":
        yield app
        return
    other = make_app(SQLALCHEMY_DATABASE_URI=private_postgres_database(POSTGRES_URL))
    with other.app_context():
        db.create_all()
        yield other
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def f():
    """The factories module, so tests read ``f.create_application(...)``."""
    return factories


def login(client, user, password: str = factories.PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, f"sign-in failed for {user.email}: {response.status_code}"
    return response


@pytest.fixture
def login_as(client):
    """``login_as(user)`` commits pending factory rows, then signs the client in."""

    def do_login(user):
        db.session.commit()
        client.post("/logout")
        return login(client, user)

    return do_login


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
