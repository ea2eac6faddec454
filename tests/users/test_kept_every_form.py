"""Every form page of the URL map keeps what was typed when its token is stale
(users.kept): no form has code of its own, so a form added later is covered
here without touching this file.

For each route that shows a form and takes its post (GET and POST), as the
person the authorisation table lets open it: type a marker into every text
field of the form that posts to it, post with a stale CSRF token, and find
every marker back in the page (signed in: in the form itself; a visitor: on
the sign-in-to-keep page). Passwords and one-time codes are never echoed.
(The application form pages answer with their own richer page; the rule is the same.)"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.authz import tables
from tests.authz.scenario import Scenario
from tests.authz.test_routes import _rules_by_endpoint, _sign_in, _url

TABLE = tables.load()
PERSONAS = ("admin", "applicant", "reviewer", "other_applicant", "anonymous")
TEXT_TYPES = {"text", "email", "number", "date", "tel", "url", "search", "datetime-local", "month", "time"}


class _TextFields(HTMLParser):
    """Names of the text inputs and text areas of the forms that post to ``path``."""

    def __init__(self, path: str):
        super().__init__()
        self.path, self.inside, self.text, self.secret = path, False, [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urlsplit(a.get("action") or self.path).path
            self.inside = (a.get("method") or "get").lower() == "post" and action == self.path
        elif self.inside and a.get("name") and "disabled" not in a and "readonly" not in a:
            kind = (a.get("type") or "text").lower()
            if tag == "textarea" or (tag == "input" and kind in TEXT_TYPES):
                self.text.append(a["name"])
            elif tag == "input" and kind == "password":
                self.secret.append(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def _persona(entry) -> str | None:
    for role in PERSONAS:
        allowed = entry.expected[role]
        if 200 in (set(allowed) if isinstance(allowed, (tuple, set, list, frozenset)) else {allowed}):
            return role
    return None


def pytest_generate_tests(metafunc):
    if "endpoint" in metafunc.fixturenames:
        from grantflow import create_app

        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        found = [endpoint for endpoint, rule in sorted(_rules_by_endpoint(app).items())
                 if {"GET", "POST"} <= rule.methods and endpoint in TABLE.entries
                 and _persona(TABLE.entries[endpoint]) is not None]
        metafunc.parametrize("endpoint", found)


def test_every_form_page_keeps_what_was_typed(app, client, endpoint, monkeypatch):
    from grantflow.extensions import db

    rule = _rules_by_endpoint(app)[endpoint]
    entry = TABLE.entries[endpoint]
    role = _persona(entry)
    scenario = Scenario(TABLE.builders)
    for name in entry.needs:
        getattr(scenario, name)
    url = _url(app, rule, entry, scenario)
    db.session.commit()
    _sign_in(client, scenario.user_for(role))
    page = client.get(url)
    assert page.status_code == 200, (endpoint, page.status_code)
    fields = _TextFields(urlsplit(url).path)
    fields.feed(page.get_data(as_text=True))
    if not fields.text:
        pytest.skip(f"{endpoint}: no text field on its page for {role}")

    from grantflow.users.kept import is_secret

    typed = {name: f"Kept {index} for {endpoint}" for index, name in enumerate(fields.text) if not is_secret(name)}
    secrets = dict.fromkeys(fields.secret + [name for name in fields.text if is_secret(name)], "Never-echoed-secret-1")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(url, data={**typed, **secrets, "csrf_token": "stale"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400), (endpoint, response.status_code)
    assert 'role="alert"' in html
    missing = [name for name, text in typed.items() if text not in html]
    assert not missing, f"{endpoint} as {role}: typed text of {missing} not shown back"
    assert "Never-echoed-secret-1" not in html
    assert "not saved" in html.lower()
    if role != "anonymous":  # back in the form itself, not on a sign-in page
        assert "Sign in to keep" not in html, f"{endpoint}: the values did not come back into the form"
