"""Password reset by an emailed link: one use, expiring, never revealing who has an account."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from grantflow.core.models import AuditEvent
from grantflow.extensions import db
from grantflow.users import tokens

from tests.factories import PASSWORD
from tests.users.helpers import emails_to, link_in_latest_email

NEW_PASSWORD = "a brand new passphrase"


def _request_reset(client, email):
    return client.post("/forgot-password", data={"email": email})


def test_login_page_links_to_forgot_password(client):
    assert 'href="/forgot-password"' in client.get("/login").get_data(as_text=True)


def test_reset_link_sets_a_new_password_and_signs_in(client, f):
    user = f.create_user("applicant", email="lead@desmoines.gov")
    db.session.commit()
    _request_reset(client, "Lead@DesMoines.gov ")
    path = link_in_latest_email("lead@desmoines.gov", "/reset-password/")
    assert "lead@desmoines.gov" in client.get(path).get_data(as_text=True)

    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert client.get("/applications/").status_code == 200  # signed in
    subjects = [email.subject for email in emails_to(user.email)]
    assert subjects == ["Reset your GrantFlow password", "Your GrantFlow password was changed"]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == user.id)).all()
    assert {"user.password_reset_requested", "user.password_reset"} <= set(actions)


def test_unknown_and_known_addresses_get_the_same_answer(client, f):
    f.create_user("applicant", email="known@city.gov")
    db.session.commit()
    known = _request_reset(client, "known@city.gov")
    unknown = _request_reset(client, "nobody@city.gov")
    assert known.status_code == unknown.status_code == 200
    assert (known.get_data(as_text=True).replace("known@city.gov", "X")
            == unknown.get_data(as_text=True).replace("nobody@city.gov", "X"))
    assert emails_to("nobody@city.gov") == []


def test_deactivated_account_gets_no_reset_email(client, f):
    user = f.create_user("applicant", email="gone@city.gov")
    user.is_active_account = False
    db.session.commit()
    assert _request_reset(client, "gone@city.gov").status_code == 200
    assert emails_to("gone@city.gov") == []


def test_reset_link_works_only_once(client, f):
    f.create_user("applicant", email="once@city.gov")
    db.session.commit()
    _request_reset(client, "once@city.gov")
    path = link_in_latest_email("once@city.gov", "/reset-password/")
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    client.post("/logout")

    reused = client.post(path, data={"password": "someone else's pick", "confirm": "someone else's pick"})
    assert reused.status_code == 200
    assert "already been used" in reused.get_data(as_text=True)
    user = db.session.scalar(select(tokens.User).where(tokens.User.email == "once@city.gov"))
    assert user.check_password(NEW_PASSWORD)


def test_an_earlier_link_dies_when_the_password_changes(f):
    user = f.create_user("applicant")
    token = tokens.make_reset_token(user)
    user.set_password("changed in another way")
    with pytest.raises(tokens.TokenInvalid, match="already been used"):
        tokens.load_reset_token(token)


def test_expired_link_is_refused_with_an_explanation(client, f, app, monkeypatch):
    user = f.create_user("applicant")
    db.session.commit()
    token = tokens.make_reset_token(user)
    later = time.time() + app.config["PASSWORD_RESET_MAX_AGE"] + 5
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = client.post(f"/reset-password/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    page = response.get_data(as_text=True)
    assert "expired" in page and "1 hour" in page
    assert 'href="/forgot-password"' in page
    db.session.expire_all()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("token", ["not-a-token", "eyJ1c2VyX2lkIjoxfQ.ZZZZZZ.invalidsignature", "x" * 300])
def test_wrong_token_is_refused(client, token):
    response = client.get(f"/reset-password/{token}")
    assert response.status_code == 200
    assert "not valid" in response.get_data(as_text=True)


def test_invitation_token_is_not_a_reset_token(f):
    user = f.create_user("reviewer")
    with pytest.raises(tokens.TokenInvalid):
        tokens.load_reset_token(tokens.make_invite_token(user))


def test_token_of_another_secret_key_is_refused(f, app):
    user = f.create_user("applicant")
    token = tokens.make_reset_token(user)
    app.config["SECRET_KEY"], saved = "another-secret", app.config["SECRET_KEY"]
    try:
        with pytest.raises(tokens.TokenInvalid, match="not valid"):
            tokens.load_reset_token(token)
    finally:
        app.config["SECRET_KEY"] = saved


@pytest.mark.parametrize("password, confirm, message", [
    ("short", "short", "at least 12 characters"),
    ("long enough password", "different password", "do not match"),
    ("", "", "Enter a password"),
])
def test_reset_form_applies_the_password_rules(client, f, password, confirm, message):
    user = f.create_user("applicant")
    db.session.commit()
    token = tokens.make_reset_token(user)
    response = client.post(f"/reset-password/{token}", data={"password": password, "confirm": confirm})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert user.check_password(PASSWORD)


def test_forgot_password_form_needs_a_valid_address(client):
    response = client.post("/forgot-password", data={"email": "not an address"})
    assert "Enter a valid email address" in response.get_data(as_text=True)
