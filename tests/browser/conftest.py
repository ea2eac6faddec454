"""Shared browser-test infrastructure (Playwright + axe), for every domain.

- ``live_server`` (session): the app on a free 127.0.0.1 port, served by werkzeug
  in a thread, with its own SQLite file and CSRF protection ON, as in production.
  ``live_server.url``; ``live_server.app``.
- ``live_db()``: a context manager that pushes the live app's context, so the
  factories (``tests.factories``) write to the live server's database; it commits
  on exit. The live database is emptied after every test that used the server.
- ``browser`` (session): one headless Debian Chromium for the whole run.
  ``page`` (function): a fresh browser context (cookies, storage) per test, with
  ``base_url`` set, so ``page.goto("/login")`` works.
- ``assert_accessible(page)``: axe-core with the WCAG 2.1 A and AA rules; fails
  with a readable list of violations. Call it on every page a test visits.
- ``tab_to(page, locator)``: press Tab until the locator has focus (keyboard-only tests).

Mark browser tests with ``@pytest.mark.browser`` (``pytestmark = pytest.mark.browser``).
Without /usr/bin/chromium they are skipped, unless GRANTFLOW_REQUIRE_SERVICES=1 (CI),
where they fail. A server-side exception during a test fails that test with its traceback.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from grantflow import create_app
from grantflow.core.web import RequestHandler
from grantflow.extensions import cache, db

from tests import factories
from tests.conftest import REQUIRE_SERVICES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 15_000


class _QuietHandler(RequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request would drown the test output
        pass


class _ErrorCollector(logging.Handler):
    """Keeps the server's logged exceptions so the test that caused one fails."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@dataclass
class LiveServer:
    app: object
    url: str
    errors: _ErrorCollector
    _server: object = field(repr=False, default=None)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("live")
    app = create_app({
        "TESTING": False,  # error pages render as in production
        "SECRET_KEY": "live-server-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'live.sqlite'}",
        "WTF_CSRF_ENABLED": True,
        "RATE_LIMITS": False,  # the suite signs in far more often than a person
        "REDIS_URL": None,
        "MAIL_SERVER": None,
        "UPLOAD_DIR": instance / "uploads",
        "LETTER_DIR": instance / "letters",
        "EXPORT_DIR": instance / "exports",
        "SERVER_NAME": None,
    })
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url  # links in emails point at the live server
    errors = _ErrorCollector()
    app.logger.addHandler(errors)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app=app, url=url, errors=errors, _server=server)
    server.shutdown()
    thread.join(timeout=10)
    app.logger.removeHandler(errors)
    with app.app_context():
        db.engine.dispose()


def _empty_live_database(app) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(text(f'DELETE FROM "{table.name}"'))


@pytest.fixture(autouse=True)
def _live_server_hygiene(request):
    """After each test that used the live server: fail on a server-side
    exception, and empty its database for the next test."""
    if "live_server" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("live_server")
    seen = len(server.errors.records)
    yield
    new = server.errors.records[seen:]
    _empty_live_database(server.app)
    if new:
        formatter = logging.Formatter()
        details = "\n\n".join(formatter.format(record) for record in new)
        pytest.fail(f"the live server logged {len(new)} error(s) during this test:\n{details}", pytrace=False)


@pytest.fixture
def live_db(live_server):
    """``with live_db(): user = f.create_user(...)`` writes to the live server's
    database (committed on exit). Read with ``with live_db(): db.session...``."""

    @contextmanager
    def context():
        with live_server.app.app_context():
            try:
                yield db.session
                db.session.commit()
                cache.clear()  # rows written around the operations: nothing kept may outlive them
            finally:
                db.session.remove()

    return context


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium); browser tests need it"
        if REQUIRE_SERVICES:
            pytest.fail(message + " and GRANTFLOW_REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


# --- helpers for tests -------------------------------------------------------------

_AXE = None


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} WCAG 2.1 A/AA violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"\n* {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"  - at {', '.join(map(str, node['target']))}")
            lines.append(f"    {node['html'][:300]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
        if len(violation["nodes"]) > 10:
            lines.append(f"  ... and {len(violation['nodes']) - 10} more elements")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Zero axe-core violations of WCAG 2.1 A and AA on the current page."""
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                      "resultTypes": ["violations"]})
    violations = results.response["violations"]
    if violations:
        pytest.fail(_format_violations(page.url, violations), pytrace=False)


def sign_in(page, email: str) -> None:
    """Sign in through the form, by mouse (the keyboard is tested where it is the point)."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def tab_to(page, locator, max_presses: int = 40) -> None:
    """Move the keyboard focus to ``locator`` with Tab alone, as a keyboard user would."""
    for _ in range(max_presses):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} is not reachable with Tab within {max_presses} presses on {page.url}")


def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser is a browser test, marked or not (for -m "not browser")."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
