"""Accounts in a real browser, keyboard first, with axe on every page visited."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.core.models import OutboxEmail
from grantflow.extensions import db

from tests import factories
from tests.browser.conftest import assert_accessible, tab_to
from tests.users.helpers import link_in_latest_email

pytestmark = pytest.mark.browser

NAME = "Grace Hopper"
EMAIL = "grace.hopper@desmoines.gov"
PASSWORD = "a long and memorable passphrase"


def _type_fields(page, first_field, values: list[str]) -> None:
    """Reach the first field with Tab, then type each value and Tab to the next."""
    tab_to(page, first_field)
    for i, value in enumerate(values):
        if i:
            page.keyboard.press("Tab")
        page.keyboard.type(value)


def _press_enter_and_wait(page) -> None:
    """Enter on a focused link or form field, then wait for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _heading(page) -> str:
    return page.locator("h1").inner_text()


def _sign_in_with_keyboard(page, email: str, password: str) -> None:
    _type_fields(page, page.get_by_label("Email address"), [email, password])
    _press_enter_and_wait(page)


def _sign_out_with_keyboard(page) -> None:
    tab_to(page, page.get_by_role("button", name="Sign out"))
    _press_enter_and_wait(page)
    assert page.url.endswith("/")


def _my_applications(page) -> None:
    """From wherever registration or sign-in landed, follow the navigation to My applications."""
    if _heading(page) != "My applications":
        tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="My applications"))
        _press_enter_and_wait(page)
    assert _heading(page) == "My applications"


def _links_to_applications(page) -> int:
    """Links to an application's own page (``/applications/<id>...``) in the main content."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('main a'))
        .filter(a => /\\/applications\\/\\d+/.test(a.getAttribute('href') || '')).length""")


def test_new_applicant_registers_sees_an_empty_dashboard_signs_out_and_back_in(page, live_server, live_db):
    page.goto("/")
    assert "Local-to-Global Engagement Fund" in _heading(page)
    assert_accessible(page)

    tab_to(page, page.get_by_role("link", name="Create an account to apply"))
    _press_enter_and_wait(page)
    assert _heading(page) == "Create an account"
    assert_accessible(page)

    _type_fields(page, page.get_by_label("Your full name"),
                 [NAME, "Director of International Affairs", EMAIL, PASSWORD, PASSWORD])
    _press_enter_and_wait(page)
    assert _heading(page) == "Check your email"
    assert_accessible(page)
    with live_db():
        page.goto(link_in_latest_email(EMAIL, "/register/confirm/"))
    assert _heading(page) == "Finish creating your account"
    tab_to(page, page.get_by_role("button", name="Create my account"))
    _press_enter_and_wait(page)
    expect(page.get_by_text("Welcome! Your account is ready.")).to_be_visible()
    if "organisations.profile" in live_server.app.view_functions:
        # registration promises that describing the government comes next
        assert page.url.endswith(live_server.app.url_map.bind("").build("organisations.profile"))
        assert_accessible(page)
    _my_applications(page)
    assert _links_to_applications(page) == 0
    assert_accessible(page)

    _sign_out_with_keyboard(page)
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert page.get_by_role("button", name="Sign out").count() == 0
    assert_accessible(page)

    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in"))
    _press_enter_and_wait(page)
    assert _heading(page) == "Sign in"
    assert_accessible(page)
    _sign_in_with_keyboard(page, EMAIL, PASSWORD)
    _my_applications(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_wrong_password_shows_an_accessible_error_and_keeps_the_email(page, live_db):
    with live_db():
        factories.create_user("applicant", email=EMAIL)
    page.goto("/login")
    _sign_in_with_keyboard(page, EMAIL, "not the password")
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    assert page.get_by_label("Email address").input_value() == EMAIL
    assert page.get_by_label("Password", exact=True).get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_forgotten_password_is_reset_through_the_emailed_link(page, live_db, live_server):
    with live_db():
        factories.create_user("applicant", email=EMAIL, name=NAME)
    page.goto("/login")
    tab_to(page, page.get_by_role("link", name="Forgot your password?"))
    _press_enter_and_wait(page)
    assert_accessible(page)

    _type_fields(page, page.get_by_label("Email address"), [EMAIL])
    _press_enter_and_wait(page)
    assert _heading(page) == "Check your email"
    assert_accessible(page)

    with live_db():
        body = db.session.scalar(select(OutboxEmail.body_text).where(OutboxEmail.recipient == EMAIL))
    link = re.search(re.escape(live_server.url) + r"/reset-password/\S+", body).group(0)
    page.goto(link)
    assert _heading(page) == "Choose a new password"
    assert_accessible(page)
    new_password = "another memorable passphrase"
    _type_fields(page, page.get_by_label("New password", exact=True), [new_password, new_password])
    _press_enter_and_wait(page)
    expect(page.get_by_text("Your password has been changed and you are signed in.")).to_be_visible()

    _sign_out_with_keyboard(page)
    page.goto(link)  # the link worked once
    assert "already been used" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto("/login")
    _sign_in_with_keyboard(page, EMAIL, new_password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_missing_page_is_a_clear_accessible_404(page):
    response = page.goto("/no/such/page")
    assert response.status == 404
    assert _heading(page) == "Page not found"
    expect(page.get_by_role("link", name="Go to your home page")).to_be_visible()
    assert_accessible(page)


def test_admin_invites_a_reviewer_who_accepts(page, live_db, live_server):
    with live_db():
        factories.create_user("admin", email="ada@state.gov", name="Ada Admin")
    page.goto("/login")
    _sign_in_with_keyboard(page, "ada@state.gov", factories.PASSWORD)

    page.goto("/admin/users")
    assert _heading(page) == "Users"
    assert_accessible(page)
    tab_to(page, page.get_by_role("link", name="Invite a reviewer or administrator"))
    _press_enter_and_wait(page)
    assert_accessible(page)

    page.get_by_role("button", name="Send the invitation").click()  # nothing filled in
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    assert_accessible(page)  # the error state too
    _type_fields(page, page.get_by_label("Full name"), ["Rosa Díaz", "rosa@university.edu"])
    page.keyboard.press("Tab")  # the hint is not focusable: the next stop is the first role
    page.keyboard.press("Space")
    assert page.get_by_label("Reviewer").is_checked()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to rosa@university.edu.")).to_be_visible()
    expect(page.get_by_text("Invitation pending")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").click()
    expect(page.locator("h1")).to_have_text("Outbox")
    assert_accessible(page)
    page.get_by_role("link", name="You are invited to GrantFlow as Reviewer").click()
    expect(page.locator("h1")).to_have_text("You are invited to GrantFlow as Reviewer")
    assert_accessible(page)
    link = page.locator("main a[href*='/invitation/']").get_attribute("href")
    assert link.startswith(live_server.url)

    _sign_out_with_keyboard(page)
    page.goto(link)
    assert _heading(page) == "Welcome, Rosa Díaz"
    assert_accessible(page)
    _type_fields(page, page.get_by_label("New password", exact=True), [PASSWORD, PASSWORD])
    _press_enter_and_wait(page)
    expect(page.get_by_text("Welcome to GrantFlow, Rosa Díaz.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_assert_accessible_reports_violations_readably(page):
    """The helper itself: a page with known faults fails with their names and places."""
    page.set_content('<html><body><main><img src="chart.png"><input type="text"></main></body></html>')
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    report = str(failure.value)
    assert "image-alt" in report and "label" in report and "<img src=\"chart.png\">" in report
