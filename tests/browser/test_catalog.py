"""Anybody, without signing in, goes from the home page to the catalog, filters it,
opens a project, reads the map and its tables and downloads the 360Giving data:
axe on every public page, at desktop width and at a phone's 390 px (no sideways
scroll), and the map's states reachable by keyboard."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.page_checks import phone_problems
from tests.catalog.factories import published_world

pytestmark = pytest.mark.browser


def _check(page) -> None:
    assert_accessible(page)
    sideways, violations = phone_problems(page)
    assert sideways == [] and violations == [], (page.url, sideways, violations)


def test_a_visitor_browses_the_catalog_and_the_map(page, live_db, live_server):
    with live_db():
        world = published_world()
        slug = world["fund"].slug

    page.goto("/")
    page.get_by_role("link", name="catalog of funded projects").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Funded projects", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Visible harbor partnership")).to_be_visible()
    _check(page)

    page.get_by_label("State or territory", exact=True).select_option("TX")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Border trade corridor")).to_be_visible()
    expect(page.get_by_role("link", name="Visible harbor partnership")).to_have_count(0)
    _check(page)

    page.goto("/catalog/?year=1800")
    expect(page.get_by_role("alert")).to_contain_text("Give a year between 2000 and 2100")
    _check(page)

    page.goto("/catalog/")
    page.get_by_role("link", name="Visible harbor partnership").click()
    page.wait_for_load_state()
    expect(page.get_by_role("table")).to_contain_text("Jobs created")
    expect(page.locator("main")).to_contain_text("Porto, Portugal")
    _check(page)

    page.get_by_role("link", name="All funded projects").click()
    page.get_by_role("link", name="Map and partner countries").click()
    page.wait_for_load_state()
    expect(page.get_by_role("table", name="Funded projects by state or territory")).to_contain_text("Texas")
    expect(page.get_by_role("table", name="Partner countries")).to_contain_text("Mexico")
    expect(page.get_by_role("img", name="Ohio: no funded projects")).to_have_count(1)
    _check(page)
    # a state with projects is a link: by keyboard, it lists that state's projects
    iowa = page.get_by_role("link", name="Iowa: 1 funded project")
    iowa.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "us_state=IA" in page.url
    expect(page.get_by_role("link", name="Visible harbor partnership")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="360Giving spreadsheet").click()
    assert download.value.suggested_filename == f"{slug}-360giving.xlsx"
    response = page.request.get(f"/catalog/{slug}/360giving.json")
    assert response.ok and len(response.json()["grants"]) == 2
