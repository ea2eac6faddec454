"""Layout in a real browser at a phone's and a desktop's width: choice labels
beside their boxes, the four main pages (applicant's form page, reviewer's page,
ranking, dashboard) never scroll sideways, charts never cut their text, the
ranking reads at 1,280 px, the dashboard fits in about three screens there; their screenshots are made by tests/browser/screenshots.py."""
from __future__ import annotations

import pytest

from tests import factories
from tests.browser import screenshots
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", screenshots.WIDTHS)
def test_radio_and_checkbox_labels_sit_beside_their_boxes_in_plain_type(browser, live_server, live_db, width):
    with live_db():
        applicant = factories.create_user("applicant")
        email = applicant.email
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto("/organisation/")
        options = page.locator(".choice-list li")
        assert options.count() >= 5
        for index in range(options.count()):
            box = options.nth(index).locator("input").bounding_box()
            label = options.nth(index).locator("label")
            text = label.bounding_box()
            assert text["x"] > box["x"] + box["width"] - 1            # beside the box, not under it
            assert text["y"] < box["y"] + box["height"]               # on the same line
            assert label.evaluate("el => getComputedStyle(el).fontWeight") == "400"
        assert_accessible(page)
    finally:
        context.close()


@pytest.fixture(scope="module")
def shots(browser, live_server, tmp_path_factory):
    """The demo seeded into the live server, then the four pages at both widths.
    (The live database is emptied after the first test, long after this ran.)"""
    from grantflow.demo.seed import seed_demo
    from grantflow.extensions import cache, db

    with live_server.app.app_context():
        seed_demo()
        db.session.commit()
        cache.clear()  # no dashboard figures kept from earlier tests
    pages = screenshots.demo_pages(live_server.app)
    return screenshots.take_screenshots(browser, live_server.url, pages, tmp_path_factory.mktemp("shots"))


def test_screenshots_of_the_four_pages_at_both_widths(shots):
    assert {(s.name, s.width) for s in shots} == {(name, width) for name in (
        "applicant-form", "reviewer-review", "admin-ranking", "admin-dashboard") for width in screenshots.WIDTHS}
    for shot in shots:
        data = shot.path.read_bytes()
        assert data.startswith(b"\x89PNG") and int.from_bytes(data[16:20], "big") == shot.width


def test_the_four_pages_never_scroll_sideways_and_charts_cut_no_text(shots):
    for shot in shots:
        assert shot.measured["scrollWidth"] <= shot.measured["innerWidth"], (shot.name, shot.width)
        assert not shot.measured["cutChartTexts"], (shot.name, shot.width, shot.measured["cutChartTexts"])


def test_the_ranking_reads_at_1280_px(shots):
    ranking = next(s for s in shots if s.name == "admin-ranking" and s.width == 1280).measured
    assert ranking["rankingFits"]                                   # no scrolling inside its box either
    assert ranking["titleLines"] and max(ranking["titleLines"]) <= 4  # title (at most 3 lines), organization
    assert ranking["buttonLines"] and max(ranking["buttonLines"]) == 1


#: about three screens of a 1,280 px wide laptop (its window shows about 1,000 px of page; the
#: dashboard was 4,656 px, 4.7 screens, as one column of charts repeated as tables)
THREE_SCREENS = 3 * 1_100


def test_the_dashboard_fits_in_about_three_screens_at_1280_px(shots):
    dashboard = next(s for s in shots if s.name == "admin-dashboard" and s.width == 1280).measured
    assert dashboard["scrollHeight"] <= THREE_SCREENS, dashboard["scrollHeight"]
    assert dashboard["closedTables"] and all(dashboard["closedTables"])  # each chart's table behind a disclosure
