"""An administrator filters the portfolio, reads the charts and downloads an
export in a real browser, without JavaScript doing the work; axe on every page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories_portfolio import create_portfolio

pytestmark = pytest.mark.browser


def test_admin_filters_the_dashboard_and_downloads_an_export(page, live_db, live_server):
    with live_db():
        admin_email = factories.create_user("admin", name="Pat Portfolio").email
        made = create_portfolio()

    sign_in(page, admin_email)
    page.get_by_role("link", name="Portfolio", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("img", name="Funnel: how far applications got")).to_be_visible()
    # each chart's table sits behind its disclosure, hidden until opened
    expect(page.get_by_role("table", name="Applications and awards by theme")).to_be_hidden()
    page.get_by_text("Themes as a table", exact=True).click()
    expect(page.get_by_role("table", name="Applications and awards by theme")).to_be_visible()
    assert_accessible(page)

    page.locator("summary", has_text="Filter the portfolio").click()  # closed while no filter applies
    page.get_by_label("State or territory", exact=True).select_option("TX")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    expect(page.get_by_role("region", name="Key figures")).to_contain_text("$50,000")
    assert_accessible(page)

    page.goto("/admin/portfolio/?year=1899")
    expect(page.locator(".error-message")).to_contain_text("Give a year between 2000 and 2100")
    assert_accessible(page)

    page.goto("/admin/portfolio/?us_state=TX")
    page.get_by_label("Format", exact=True).select_option("csv")
    page.get_by_role("button", name="Prepare the download").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("Ready: 1 rows.")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename.endswith(".csv")
