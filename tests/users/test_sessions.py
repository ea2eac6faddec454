"""Sessions that end (issue 16): a session cookie replayed after sign-out, the
remember-me cookie after sign-out or a password reset, still worked; the
remember-me cookie lasted 365 days without SameSite."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app

from grantflow.core.db import utcnow
from grantflow.extensions import db
from grantflow.users import operations, sessions, tokens
from grantflow.users.models import UserSession
from tests.factories import PASSWORD


def _cookies(client) -> dict:
    return {cookie.key: cookie for cookie in client._cookies.values()}


def _sign_in(client, user, remember=False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302


def _replay(app, cookies: dict) -> int:
    """A fresh browser presenting stolen cookies: the status of a signed-in page."""
    thief = app.test_client()
    for name, cookie in cookies.items():
        thief.set_cookie(name, cookie.value)
    return thief.get("/applications/").status_code


@pytest.fixture
def user(f):
    made = f.create_applicant()
    db.session.commit()
    return made


def test_a_session_cookie_replayed_after_sign_out_is_refused(app, client, user):
    _sign_in(client, user)
    stolen = {"session": _cookies(client)["session"]}
    assert _replay(app, stolen) == 200
    client.post("/logout")
    assert _replay(app, stolen) == 302  # sent to sign in


def test_a_remember_me_cookie_is_refused_after_sign_out(app, client, user):
    _sign_in(client, user, remember=True)
    stolen = {"remember_token": _cookies(client)["remember_token"]}
    assert _replay(app, stolen) == 200
    client.post("/logout")
    assert _replay(app, stolen) == 302


def test_signing_out_ends_the_sessions_on_every_device(app, client, user):
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(laptop, user)
    _sign_in(phone, user, remember=True)
    laptop.post("/logout")
    assert phone.get("/applications/").status_code == 302


def test_a_password_reset_ends_every_session_and_remember_me(app, client, user):
    _sign_in(client, user, remember=True)
    stolen = {name: cookie for name, cookie in _cookies(client).items() if name in ("session", "remember_token")}
    helper = app.test_client()
    new = "a fresh garden lantern"
    assert helper.post(f"/reset-password/{tokens.make_reset_token(user)}",
                       data={"password": new, "confirm": new}).status_code == 302
    assert _replay(app, stolen) == 302
    assert helper.get("/applications/").status_code == 200  # the browser that reset it is signed in


def test_deactivation_ends_every_session(app, client, user, f):
    _sign_in(client, user, remember=True)
    operations.set_account_active(f.create_user("admin"), db.session.get(type(user), user.id), False)
    db.session.commit()
    assert client.get("/applications/").status_code == 302


def test_a_removed_role_ends_every_session(app, client, f):
    reviewer = f.create_user("reviewer", "applicant")
    db.session.commit()
    _sign_in(client, reviewer)
    reviewer.revoke_role("reviewer")
    db.session.commit()
    assert client.get("/").status_code in (200, 302)
    assert client.get("/reviews/").status_code == 302


def test_remember_me_lasts_30_days_and_is_httponly_and_lax(client, user):
    _sign_in(client, user, remember=True)
    cookie = _cookies(client)["remember_token"]
    assert cookie.http_only and cookie.same_site == "Lax"
    expires = cookie.expires if cookie.expires.tzinfo else cookie.expires.replace(tzinfo=utcnow().tzinfo)
    assert timedelta(days=29) < expires - utcnow() <= timedelta(days=30)
    assert current_app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)


def test_cookies_are_secure_in_production():
    from pathlib import Path

    from grantflow.config import load_config

    config = load_config(Path("/nonexistent"), env={"GRANTFLOW_ENV": "production", "SECRET_KEY": "x"})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax" and config["REMEMBER_COOKIE_HTTPONLY"]


def test_an_idle_session_without_remember_me_expires(client, user):
    _sign_in(client, user)
    row = db.session.query(UserSession).filter_by(user_id=user.id).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/applications/").status_code == 302


def test_an_administrator_sees_and_ends_one_session(app, client, login_as, f, user):
    browser = app.test_client()
    _sign_in(browser, user)
    admin = f.create_user("admin")
    login_as(admin)
    page = client.get(f"/admin/users/{user.id}/sessions")
    assert page.status_code == 200 and "Sessions of" in page.get_data(as_text=True)
    row = db.session.query(UserSession).filter_by(user_id=user.id).one()
    assert client.post(f"/admin/users/{user.id}/sessions/{row.id}/end").status_code == 302
    assert browser.get("/applications/").status_code == 302
    assert "No browser is signed in" in client.get(f"/admin/users/{user.id}/sessions").get_data(as_text=True)


def test_an_administrator_ends_every_session_of_a_user(app, client, login_as, f, user):
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(laptop, user)
    _sign_in(phone, user, remember=True)
    login_as(f.create_user("admin"))
    assert client.post(f"/admin/users/{user.id}/sessions/end").status_code == 302
    assert laptop.get("/applications/").status_code == 302 and phone.get("/applications/").status_code == 302
    assert sessions.live_sessions(db.session.get(type(user), user.id)) == []


def test_a_session_token_is_kept_only_as_a_digest(client, user):
    _sign_in(client, user)
    row = db.session.query(UserSession).filter_by(user_id=user.id).one()
    with client.session_transaction() as session:
        token = session["_user_id"].partition(":")[2]
    assert token and token not in row.token_hash
