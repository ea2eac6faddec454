"""Round pages in a real browser: an administrator creates a round (a bad
value first: announced and linked to its field), opens its hub, edits it with
its locked fields explained, and fixes a refused fund setting; every page is
axe-clean, keyboard usable and never scrolls sideways at 390 px."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grantflow.extensions import db
from grantflow.funds.models import Round

from tests import factories
from tests.browser.conftest import assert_accessible
from tests.browser.page_checks import error_problems, keyboard_problems, phone_problems
from tests.browser.test_versions_side_by_side import sign_in

pytestmark = pytest.mark.browser


def _checked(page, *, errors: bool = False, form: str | None = None) -> None:
    assert_accessible(page)
    sideways, violations = phone_problems(page)
    assert not sideways and not violations, (page.url, sideways, violations)
    if errors:
        assert not error_problems(page), error_problems(page)
    if form:
        assert not keyboard_problems(page, form), keyboard_problems(page, form)


def test_admin_creates_edits_and_runs_a_round_in_the_browser(page, live_db):
    with live_db():
        admin = factories.create_user("admin", name="Fran Admin")
        fund = factories.create_fund(slug="l2g", name="Local-to-Global Engagement Fund")
        running = factories.create_round(fund, name="Running round")
        factories.create_application(running)  # its workflow is locked
        email, running_id, fund_id = admin.email, running.id, fund.id

    sign_in(page, email)
    page.get_by_role("link", name="Rounds", exact=True).click()
    page.wait_for_load_state()
    _checked(page)
    page.get_by_role("link", name="New round of Local-to-Global Engagement Fund").click()
    page.wait_for_load_state()
    _checked(page, form="main form")
    page.get_by_label("Name", exact=True).fill("2027 round")
    page.get_by_label("Opens").fill("2027-03-31T17:00")
    page.get_by_label("Closes").fill("2027-01-15T09:00")  # before it opens
    page.get_by_label("Budget (US dollars)").fill("3000000")
    page.get_by_label("Workflow").select_option("local_to_global:2")
    page.get_by_label("Application form").select_option("local_to_global:2")
    page.get_by_role("button", name="Create the round").click()
    page.wait_for_load_state()
    expect(page.locator("#closes-error")).to_contain_text("must close after it opens")
    _checked(page, errors=True)
    page.get_by_label("Opens").fill("2027-01-15T09:00")
    page.get_by_label("Closes").fill("2027-03-31T17:00")
    page.get_by_role("button", name="Create the round").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("2027 round")
    expect(page.locator(".flash-success")).to_contain_text("created")
    _checked(page)
    for link in ("Applications", "Reviewer assignment", "Ranking and decisions", "Decision letters",
                 "Portfolio and exports", "Edit the round"):
        expect(page.locator("#main").get_by_role("link", name=link, exact=True)).to_be_visible()
    with live_db() as session:
        created = session.query(Round).filter_by(name="2027 round").one()
        assert (created.workflow_version, created.form_version) == (2, 2)

    page.goto(f"/admin/rounds/{running_id}/edit")
    expect(page.locator("#workflow-lock")).to_contain_text("already run on this workflow")
    _checked(page, form="main form")

    page.goto(f"/admin/funds/{fund_id}/settings")
    _checked(page, form="main form")
    page.get_by_label("Final report due (days after the grant ends)").fill("0")
    page.get_by_role("button", name="Save the settings").click()
    page.wait_for_load_state()
    expect(page.locator("#final_report_days-error")).to_contain_text("from 1 to 365")
    _checked(page, errors=True)
    page.get_by_label("Final report due (days after the grant ends)").fill("90")
    page.get_by_role("button", name="Save the settings").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("Settings of Local-to-Global Engagement Fund saved")
    with live_db() as session:
        assert session.query(type(fund)).filter_by(slug="l2g").one().settings["final_report_days"] == 90
