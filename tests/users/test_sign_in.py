"""Signing in and out: safe redirects, deactivated accounts, CSRF and cookie flags."""
from __future__ import annotations

import pytest
from flask import url_for

from grantflow.extensions import db

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD


def _sign_in(client, email, password=PASSWORD, next_=None):
    url = "/login" + (f"?next={next_}" if next_ is not None else "")
    return client.post(url, data={"email": email, "password": password})


@pytest.mark.parametrize("next_, expected", [
    ("/applications/", "/applications/"),
    ("https://evil.example/", "/"),
    ("//evil.example/x", "/"),
    ("%2F%2Fevil.example", "/"),
])
def test_sign_in_follows_only_a_safe_next(client, f, next_, expected):
    user = f.create_user("applicant")
    db.session.commit()
    response = _sign_in(client, user.email, next_=next_)
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_protected_page_sends_anonymous_visitors_to_sign_in_and_back(client, f):
    user = f.create_user("applicant")
    db.session.commit()
    response = client.get("/applications/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert _sign_in(client, user.email, next_="/applications/").headers["Location"] == "/applications/"


def test_wrong_password_gets_one_message_for_both_fields(client, f):
    user = f.create_user("applicant")
    db.session.commit()
    for email, password in ((user.email, "wrong password!"), ("nobody@example.gov", PASSWORD)):
        response = _sign_in(client, email, password)
        assert response.status_code == 422
        assert "The email address or password is not right." in response.get_data(as_text=True)


def test_deactivated_account_is_refused_with_a_clear_message(client, f):
    user = f.create_user("reviewer")
    user.is_active_account = False
    db.session.commit()
    page = _sign_in(client, user.email).get_data(as_text=True)
    assert "This account has been deactivated" in page
    assert client.get("/applications/").status_code == 302  # still signed out


def test_deactivated_account_with_a_wrong_password_learns_nothing(client, f):
    user = f.create_user("reviewer")
    user.is_active_account = False
    db.session.commit()
    page = _sign_in(client, user.email, "wrong password!").get_data(as_text=True)
    assert "deactivated" not in page and "is not right" in page


def test_sign_in_records_time_and_audit(client, f):
    user = f.create_user("applicant")
    db.session.commit()
    _sign_in(client, user.email)
    db.session.expire_all()
    assert user.last_login_at is not None


def test_logout_is_post_only(client, login_as, f):
    user = f.create_user("applicant")
    login_as(user)
    assert client.get("/logout").status_code == 405
    assert client.get("/applications/").status_code == 200  # a GET (say, an <img src>) signs nobody out
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/applications/").status_code == 302


def test_signed_in_users_are_sent_home_from_sign_in_and_register(client, login_as, f):
    login_as(f.create_user("applicant"))
    assert client.get("/login").status_code == 302
    assert client.get("/register").status_code == 302


@pytest.fixture
def csrf_client(make_app, app):
    """A second app with CSRF protection on, as in production, on the test database."""
    return make_app(WTF_CSRF_ENABLED=True,
                    SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"]).test_client()


def test_forms_are_refused_without_a_csrf_token(csrf_client):
    """Refused, and what was typed comes back in the form (users.kept)."""
    for path in ("/login", "/register", "/forgot-password"):
        response = csrf_client.post(path, data={"email": "a@b.gov"}, headers={"Referer": f"http://localhost{path}"})
        assert response.status_code == 303 and response.headers["Location"] == path, path
        page = csrf_client.get(path).get_data(as_text=True)
        assert "Your session expired or the form was out of date" in page and 'value="a@b.gov"' in page, path


def test_forms_work_with_the_csrf_token(csrf_client):
    token = csrf_token_from(csrf_client.get("/forgot-password").get_data(as_text=True))
    response = csrf_client.post("/forgot-password", data={"email": "a@b.gov", "csrf_token": token})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite_lax(client, f):
    user = f.create_user("applicant")
    db.session.commit()
    cookie = _sign_in(client, user.email).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_in_production(make_app):
    # what GRANTFLOW_ENV=production sets (tests/core/test_config.py)
    app = make_app(SESSION_COOKIE_SECURE=True, WTF_CSRF_ENABLED=True)
    cookie = app.test_client().get("/login").headers["Set-Cookie"]  # the CSRF token starts a session
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
