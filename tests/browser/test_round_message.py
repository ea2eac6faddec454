"""A message to a round's applicants in a real browser: from the round's hub,
by keyboard, an empty send refused with linked errors, a preview with the
names, the send; axe, markup and 390 px checks at each step; the applicant
then reads it on the application's page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grantflow.core.workflow import get_definition

from tests import factories
from tests.browser.conftest import sign_in, tab_to
from tests.browser.page_checks import checked, error_problems

pytestmark = pytest.mark.browser


def test_an_administrator_messages_the_applicants_in_review(page, live_db):
    reviewing = get_definition("local_to_global", 1).states_in("reviewing")[0]
    with live_db():
        admin_email = factories.create_user("admin", name="Fran Admin").email
        round_ = factories.create_round(name="Spring round")
        hawaii = factories.create_organisation(name="State of Hawaii")
        lead_email = factories.create_applicant(hawaii, name="Dana Kealoha").email
        application_id = factories.create_application(round_, hawaii, state=reviewing, title="Hawaii exchange").id
        factories.create_application(round_, factories.create_organisation(name="Tulsa County"))  # a draft
        round_id = round_.id

    sign_in(page, admin_email)
    page.goto(f"/admin/rounds/{round_id}")
    page.get_by_role("link", name="Message applicants").click()
    expect(page.locator("h1")).to_have_text("Message the applicants of Spring round")
    checked(page)

    tab_to(page, page.get_by_role("button", name="Preview the recipients"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Write a subject.").first).to_be_visible()
    assert error_problems(page) == []
    checked(page)

    label = get_definition("local_to_global", 1).states[reviewing].label
    tab_to(page, page.get_by_label(label, exact=True))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Subject"))
    page.keyboard.type("Site visits in March")
    tab_to(page, page.get_by_label("Message"))
    page.keyboard.type("We will visit each applicant in March.")
    tab_to(page, page.get_by_role("button", name="Preview the recipients"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("cell", name="Dana Kealoha")).to_be_visible()
    expect(page.get_by_text("Tulsa County")).to_have_count(0)
    checked(page)

    tab_to(page, page.get_by_role("button", name="Send to 1 person"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Your message is sent to 1 person and kept on 1 application.")).to_be_visible()

    page.get_by_role("button", name="Sign out Fran Admin").click()
    page.wait_for_load_state()
    sign_in(page, lead_email)
    page.goto(f"/applications/{application_id}")
    expect(page.get_by_role("note", name="Message from the fund")).to_contain_text("We will visit each applicant")
    expect(page.get_by_role("heading", name="Reply to the fund")).to_be_visible()
    checked(page)
