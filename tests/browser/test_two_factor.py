"""Two-step sign-in in the browser (issue 16): an administrator whose fund requires
it is sent to set it up, scans (reads) the server-drawn QR code's key, confirms a
code, keeps the recovery codes, and from then on signs in with a code; by keyboard,
with axe on every page and no Content-Security-Policy complaint."""
from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_accessible, tab_to

pytestmark = pytest.mark.browser

EMAIL = "chief.admin@ocsd.example.gov"


def _heading(page) -> str:
    return page.locator("h1").inner_text()


def _type_into(page, field, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)


def _submit(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _sign_in(page, password=factories.PASSWORD) -> None:
    page.goto("/login")
    _type_into(page, page.get_by_label("Email address"), EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    _submit(page)


def test_an_administrator_sets_up_two_step_sign_in_and_signs_in_with_a_code(page, live_db):
    with live_db():
        fund = factories.create_fund()
        fund.settings = {**(fund.settings or {}), "require_two_factor_for_admins": True}
        factories.create_user("admin", email=EMAIL, name="Chief Admin")
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    _sign_in(page)
    assert _heading(page) == "Set up two-step sign-in"
    expect(page.get_by_role("img", name="QR code to add GrantFlow to an authenticator app")).to_be_visible()
    assert_accessible(page)
    secret = page.locator("code.secret-key").inner_text()

    _type_into(page, page.get_by_label("Code"), "000000")
    _submit(page)
    expect(page.get_by_text("That code is not right").first).to_be_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    _type_into(page, page.get_by_label("Code"), pyotp.TOTP(secret).now())
    _submit(page)
    assert _heading(page) == "Two-step sign-in is on"
    assert page.locator("ul.recovery-codes li").count() == 10
    assert_accessible(page)
    tab_to(page, page.get_by_role("link", name="I have saved them: continue"))
    _submit(page)

    page.goto("/admin/users")
    assert _heading(page) == "Users"
    tab_to(page, page.get_by_role("button", name="Sign out"))
    _submit(page)

    _sign_in(page)
    assert _heading(page) == "Two-step sign-in"
    assert_accessible(page)
    _type_into(page, page.get_by_label("Code"), pyotp.TOTP(secret).now())
    _submit(page)
    page.goto("/admin/users")
    assert _heading(page) == "Users"
    assert violations == []
