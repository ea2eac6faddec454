"""Two-step sign-in (issue 16): TOTP with recovery codes, a QR code drawn on the
server, required for administrators when a fund's settings say so."""
from __future__ import annotations

import re

import pyotp
import pytest

from grantflow.extensions import db
from grantflow.users import two_factor
from tests.factories import PASSWORD


def _secret_from(page: str) -> str:
    return re.search(r'<code class="secret-key">([A-Z2-7]+)</code>', page).group(1)


def _enrol(client) -> tuple[str, list[str]]:
    page = client.get("/account/two-step").get_data(as_text=True)
    secret = _secret_from(page)
    done = client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now()}).get_data(as_text=True)
    return secret, re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done)


@pytest.fixture
def user(f):
    made = f.create_applicant()
    db.session.commit()
    return made


def test_set_up_shows_a_server_drawn_qr_code_and_needs_a_right_code(client, login_as, user):
    login_as(user)
    page = client.get("/account/two-step")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and '<svg role="img" xmlns="http://www.w3.org/2000/svg"' in text and "<title>" in text
    assert "<script" not in text.split("<main", 1)[1]
    wrong = client.post("/account/two-step", data={"code": "000000"})
    assert "That code is not right" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert user.totp_enabled_at is None
    secret, codes = _enrol(client)
    db.session.expire_all()
    assert user.totp_secret == secret and user.totp_enabled_at is not None and len(codes) == 10
    assert all(code not in str(user.recovery_code_hashes) for code in codes)


def test_sign_in_then_needs_the_code(app, client, login_as, user):
    login_as(user)
    secret, _ = _enrol(client)
    client.post("/logout")
    first = client.post("/login?next=/applications/", data={"email": user.email, "password": PASSWORD})
    assert first.status_code == 302 and first.headers["Location"] == "/login/two-step"
    assert client.get("/applications/").status_code == 302  # not signed in yet
    assert "not right" in client.post("/login/two-step", data={"code": "123456"}).get_data(as_text=True)
    signed_in = client.post("/login/two-step", data={"code": pyotp.TOTP(secret).now()})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/applications/"
    assert client.get("/applications/").status_code == 200


def test_a_recovery_code_works_once(client, login_as, user):
    login_as(user)
    _, codes = _enrol(client)
    for attempt, expected in ((codes[0], 302), (codes[0], 422)):
        client.post("/logout")
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert client.post("/login/two-step", data={"code": attempt}).status_code == expected


def test_the_code_step_cannot_be_skipped_or_reached_without_the_password(client, user):
    assert client.get("/login/two-step").status_code == 302
    assert client.post("/login/two-step", data={"code": "123456"}).status_code == 302


def test_sign_in_to_save_asks_for_the_code_too(client, login_as, user):
    login_as(user)
    secret, _ = _enrol(client)
    client.post("/logout")
    data = {"_target": "1:plan", "_signin_email": user.email, "_signin_password": PASSWORD}
    refused = client.post("/applications/sign-in-to-save", data=data)
    assert "two-step sign-in" in refused.get_data(as_text=True)
    assert client.get("/applications/").status_code == 302


def test_turning_it_off_needs_a_code(client, login_as, user):
    login_as(user)
    secret, _ = _enrol(client)
    assert client.post("/account/two-step/off", data={"code": "000000"}).status_code == 422
    assert client.post("/account/two-step/off", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    db.session.expire_all()
    assert user.totp_secret is None
    assert client.get("/applications/").status_code == 200  # still signed in here


def test_administrators_must_set_it_up_when_the_fund_says_so(client, login_as, f):
    fund = f.create_fund()
    fund.settings = {**(fund.settings or {}), two_factor.SETTING: True}
    admin = f.create_user("admin")
    db.session.commit()
    login_as(admin)
    response = client.get("/admin/users")
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-step"
    _enrol(client)
    assert client.get("/admin/users").status_code == 200
    # and may not turn it off
    assert client.post("/account/two-step/off", data={"code": "x"}).status_code == 302
    db.session.expire_all()
    assert admin.totp_enabled_at is not None


def test_without_the_setting_administrators_choose(client, login_as, f):
    f.create_fund()
    login_as(f.create_user("admin"))
    assert client.get("/admin/users").status_code == 200
