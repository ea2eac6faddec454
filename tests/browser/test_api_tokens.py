"""API tokens and the API reference in the browser (issue 18.3): a grantee opens the API
tokens page from their account page, makes a token by keyboard (a nameless one is refused with an
announced error), copies the secret shown once, calls the live API with it over HTTP, revokes
it, and the same call is then refused. Axe on each page, at desktop width and at 390 px."""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_accessible, tab_to
from tests.browser.page_checks import error_problems, markup_problems, phone_problems, reflow_problems

pytestmark = pytest.mark.browser

EMAIL = "treasurer@desmoines.example.gov"


def _check_at_both_widths(page) -> None:
    """Axe at desktop width and at 390 px, no sideways scroll, reflow at 320 px, sound ids."""
    assert_accessible(page)
    sideways, violations = phone_problems(page)
    assert not sideways and not violations, (sideways, violations)
    assert not reflow_problems(page), reflow_problems(page)
    assert not markup_problems(page), markup_problems(page)


def test_a_grantee_makes_uses_and_revokes_a_token(page, live_db, live_server):
    with live_db():
        factories.create_applicant(email=EMAIL, name="Tess Treasurer")
    page.goto("/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.locator("h1")).to_have_text("API tokens")
    _check_at_both_widths(page)

    create = page.get_by_role("button", name="Create token")
    tab_to(page, create)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert not error_problems(page), error_problems(page)
    assert_accessible(page)

    tab_to(page, page.get_by_label("Token name"))
    page.keyboard.type("Budget spreadsheet")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("gf_")
    expect(page.get_by_role("cell", name="Budget spreadsheet", exact=True)).to_be_visible()
    _check_at_both_widths(page)

    api = f"{live_server.url}/api/v1/my/applications"
    answer = requests.get(api, headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 200 and answer.json() == {"data": [], "next_cursor": None}

    page.goto("/account/api-tokens")
    assert secret not in page.content()  # shown once
    expect(page.get_by_role("cell", name="Never", exact=True)).to_have_count(0)  # its use is noted
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke the token Budget spreadsheet").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    assert_accessible(page)
    refused = requests.get(api, headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert refused.status_code == 401 and refused.headers["Content-Type"] == "application/problem+json"


def test_the_reference_page_lists_every_operation_and_is_accessible(page):
    page.goto("/api/v1/reference")
    expect(page.locator("h1")).to_have_text("GrantFlow API reference")
    expect(page.get_by_role("heading", name="GET /api/v1/grants")).to_be_visible()
    _check_at_both_widths(page)
