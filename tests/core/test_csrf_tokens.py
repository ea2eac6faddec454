"""Pages reuse a session's signed CSRF token for a minute; it still validates, and never crosses sessions."""
from __future__ import annotations

import re

import pytest

from grantflow.core import csrf as csrf_tokens
from grantflow.extensions import db

from tests import factories

TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def _token(client, page: str = "/admin/applications") -> str:
    return TOKEN.search(client.get(page).get_data(as_text=True)).group(1)


def login(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                           "csrf_token": _token(client, "/login")})
    assert response.status_code == 302


@pytest.fixture(autouse=True)
def csrf_checked(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production


def test_a_session_gets_the_same_signed_token_within_a_minute_and_it_validates(client, f, monkeypatch):
    signed = []
    monkeypatch.setattr(csrf_tokens, "generate_csrf",
                        lambda real=csrf_tokens.generate_csrf: signed.append(1) or real())
    user = f.create_user("admin")
    db.session.commit()
    login(client, user)
    first = _token(client)
    assert _token(client) == first and len(signed) == 1
    clock = csrf_tokens.time.monotonic() + csrf_tokens.REUSE_SECONDS + 1
    monkeypatch.setattr(csrf_tokens.time, "monotonic", lambda: clock)
    _token(client)
    assert len(signed) == 2  # a minute later it is signed afresh
    # the older one still validates: signing out with it works
    assert client.post("/logout", data={"csrf_token": first}).status_code == 302


def test_each_session_gets_its_own_token_and_no_other_session_accepts_it(app, f):
    clients = [app.test_client(), app.test_client()]
    users = [f.create_user("admin", email=f"admin{n}@example.org") for n in range(2)]
    db.session.commit()
    tokens = []
    for client, user in zip(clients, users):
        login(client, user)
        tokens.append(_token(client))
    assert tokens[0] != tokens[1]
    assert clients[1].post("/logout", data={"csrf_token": tokens[0]}).status_code == 400
    assert clients[0].post("/logout", data={"csrf_token": tokens[0]}).status_code == 302
