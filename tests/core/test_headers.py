"""Security headers on every route (issue 16): walks the URL map through the
authorisation table (tests/authz), requesting each route as a person it serves,
and checks the headers and that no page carries inline script or style."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from grantflow.config import PROJECT_ROOT
from grantflow.core.headers import CONTENT_SECURITY_POLICY
from grantflow.extensions import db
from tests.authz.scenario import Scenario
from tests.authz.test_routes import TABLE, _rules_by_endpoint, _sign_in, _url

#: a person each route serves, tried in this order (the first whose expected status is below 400)
PREFERRED = ("admin", "applicant", "reviewer", "other_applicant", "anonymous")
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=|"
                    r"(?:href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


#: the JSON API's public reads: the same for everyone, cacheable once revalidated (``no-cache``)
API_PUBLIC = {"api.openapi", "api.funds", "api.fund", "api.rounds", "api.round_", "api.grants"}


def _status_ok(value) -> bool:
    values = value if isinstance(value, (tuple, list, set, frozenset)) else (value,)
    return any(v < 400 for v in values)


def _role_for(entry) -> str:
    return next((role for role in PREFERRED if _status_ok(entry.expected[role])), "anonymous")


@pytest.mark.parametrize("endpoint", sorted(TABLE.entries))
def test_every_route_sends_the_security_headers(app, client, endpoint):
    entry = TABLE.entries[endpoint]  # (a key "endpoint#case" is a further case of one route)
    rule = _rules_by_endpoint(app).get(entry.endpoint)
    if rule is None:
        pytest.skip(f"{endpoint} is not a route (reported by tests/authz)")
    role = _role_for(entry)
    scenario = Scenario(TABLE.builders)
    for name in entry.needs:
        getattr(scenario, name)
    url = _url(app, rule, entry, scenario)
    data = scenario.resolve(entry.data) if callable(entry.data) else (entry.data or {})
    user = scenario.user_for(role)
    db.session.commit()
    _sign_in(client, user)
    method = entry.method or ("GET" if "GET" in rule.methods else "POST")
    response = client.open(url, method=method, data=data)

    headers = response.headers
    where = f"{method} {url} as {role} ({response.status_code})"
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] == "same-origin", where
    assert headers["X-Frame-Options"] == "DENY", where
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy or "sandbox" in policy, where
    assert "unsafe-inline" not in policy or response.mimetype == "image/svg+xml", where
    assert "Strict-Transport-Security" not in headers, where  # development: plain HTTP is fine
    if "public" not in headers.get("Cache-Control", ""):  # only open data is public
        assert "no-store" in headers["Cache-Control"], where
    else:
        assert endpoint == "catalog.download" or endpoint in API_PUBLIC, where
    if response.mimetype == "text/html":
        found = INLINE.search(response.get_data(as_text=True))
        assert found is None, f"{where}: inline script or style {found.group(0)!r}"


def test_pages_get_the_strict_policy(client):
    response = client.get("/login")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                      "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in CONTENT_SECURITY_POLICY
    assert response.headers["Cache-Control"] == "no-store"  # the sign-in form holds a CSRF token


def test_static_files_are_cacheable_and_nosniff(client, login_as, f):
    login_as(f.create_user("admin"))
    response = client.get("/static/css/grantflow.css")
    assert response.status_code == 200 and response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_production_sends_hsts(make_app, app):
    production = make_app(GRANTFLOW_ENV="production", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    response = production.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_template_has_inline_script_or_style():
    """The policy forbids them; put behaviour in static/js and looks in static/css.
    (Letters and PDF reports are rendered by WeasyPrint, never by a browser.)"""
    root = Path(PROJECT_ROOT) / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        relative = path.relative_to(root)
        if relative.parts[0] in ("letters", "reports_pdf"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "Inline script or style (refused by the Content-Security-Policy):\n" + "\n".join(offenders)


def test_the_development_server_names_no_versions():
    from werkzeug.serving import WSGIRequestHandler

    import grantflow.cli  # noqa: F401 (quietens the banner on import)

    assert WSGIRequestHandler.version_string(None) == "GrantFlow"
