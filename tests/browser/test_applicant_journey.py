"""The whole applicant journey in a real browser, by keyboard alone, with
axe-core on every page: register, describe the organisation, pass the
eligibility screen, fill each page, save a draft, sign out, sign in, resume,
fix an error, submit, and see the status."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.applications.models import Application
from grantflow.core.models import OutboxEmail
from grantflow.extensions import db

from tests import factories
from tests.browser.conftest import assert_accessible, tab_to
from tests.users.helpers import link_in_latest_email

pytestmark = pytest.mark.browser

EMAIL = "dana.whitfield@desmoines.gov"
PASSWORD = "a long and memorable passphrase"
TABS = 150  # the longest page has about 60 stops


def heading(page) -> str:
    return page.locator("h1").inner_text()


def type_into(page, locator, text: str) -> None:
    """Tab to a text box, clear it and type, as a keyboard user would."""
    tab_to(page, locator, TABS)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def press(page, locator) -> None:
    """Tab to a button or link and press Enter; wait for the next page."""
    tab_to(page, locator, TABS)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose_radio(page, first_option, steps_down: int = 0) -> None:
    """Tab into a radio group (focus lands on the first option) and move with the arrows."""
    tab_to(page, first_option, TABS)
    page.keyboard.press("Space")
    for _ in range(steps_down):
        page.keyboard.press("ArrowDown")


def tick(page, checkbox) -> None:
    tab_to(page, checkbox, TABS)
    page.keyboard.press("Space")


def type_date(page, locator, month_day_year: str) -> None:
    """Chromium's date box takes the digits in the order it shows them (mm dd yyyy)."""
    tab_to(page, locator, TABS)
    page.keyboard.type(month_day_year)


def continue_(page) -> None:
    press(page, page.get_by_role("button", name="Save and continue"))


def test_a_new_applicant_applies_by_keyboard_alone(page, live_db, live_server):
    with live_db():
        factories.create_round(name="Spring 2027 round")

    # -- register ----------------------------------------------------------------------
    page.goto("/register")
    assert_accessible(page)
    for label, value in (("Your full name", "Dana Whitfield"), ("Job title", "Director of International Affairs"),
                         ("Work email address", EMAIL), ("Password", PASSWORD), ("Repeat the password", PASSWORD)):
        type_into(page, page.get_by_label(label, exact=True), value)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert heading(page) == "Check your email"
    assert_accessible(page)
    with live_db():
        link = link_in_latest_email(EMAIL, "/register/confirm/")
    page.goto(link)
    assert heading(page) == "Finish creating your account"
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Create my account"))

    # -- the organisation comes first --------------------------------------------------
    assert heading(page) == "Set up your organization"
    assert_accessible(page)
    type_into(page, page.get_by_label("Name of your government"), "City of Des Moines")
    choose_radio(page, page.get_by_label("State government"), steps_down=2)  # A, B, C: a city
    assert page.get_by_label("City or township government").is_checked()
    tab_to(page, page.get_by_label("State or territory"), TABS)
    page.keyboard.type("Iowa")
    type_into(page, page.get_by_label("Population"), "214,133")
    press(page, page.get_by_role("button", name="Create the organization"))
    expect(page.get_by_text("Your organization is set up.")).to_be_visible()
    assert heading(page) == "My applications"
    assert_accessible(page)

    # -- eligibility -------------------------------------------------------------------
    press(page, page.get_by_role("link", name="Start an application to Spring 2027 round"))
    assert heading(page).startswith("Can you apply")
    assert_accessible(page)
    type_into(page, page.get_by_label("Amount requested (US dollars)"), "300000")
    type_date(page, page.get_by_label("Start date"), "01152027")
    type_date(page, page.get_by_label("End date"), "12312027")
    press(page, page.get_by_role("button", name="Check and start the application"))
    expect(page.get_by_text("this project cannot be funded")).to_be_visible()
    assert_accessible(page)  # the explanation too
    type_into(page, page.get_by_label("Amount requested (US dollars)"), "50000")
    press(page, page.get_by_role("button", name="Check and start the application"))
    expect(page.get_by_text("You are eligible.")).to_be_visible()

    # -- page 1: your government --------------------------------------------------------
    assert heading(page) == "Your government"
    expect(page.get_by_text("City of Des Moines").first).to_be_visible()  # from the profile
    assert_accessible(page)
    type_into(page, page.get_by_label("International-affairs lead, full name"), "Dana Whitfield")
    type_into(page, page.get_by_label("Lead's job title"), "Director of International Affairs")
    type_into(page, page.get_by_label("Lead's email address"), EMAIL)
    type_into(page, page.get_by_label("Authorized representative, full name"), "Mayor Alex Romero")
    type_into(page, page.get_by_label("Authorized representative's title"), "Mayor")
    page.keyboard.press("Enter")  # Enter in a text box means "Save and continue"
    page.wait_for_url("**/pages/project")

    # -- page 2: the project ------------------------------------------------------------
    assert heading(page) == "Your project"
    assert_accessible(page)
    type_into(page, page.get_by_label("Project title"), "Sister-city climate exchange")
    type_into(page, page.get_by_label("Summary"), "Two delegations on building retrofits with Monterrey.")
    tick(page, page.get_by_label("Climate action and the clean-energy transition"))
    tick(page, page.get_by_label("Trade and foreign direct investment"))
    type_into(page, page.get_by_label("Country"), "Mexico")
    type_into(page, page.get_by_label("City or region"), "Monterrey")
    assert page.get_by_label("Start date").input_value() == "2027-01-15"  # kept from the eligibility screen
    continue_(page)

    # -- page 3: save a draft, sign out, sign in, resume --------------------------------
    assert heading(page) == "What, how and why"
    assert_accessible(page)
    type_into(page, page.get_by_label("What will you do?"), "Host a delegation from Monterrey.")
    expect(page.locator("#what-count")).to_contain_text("characters remaining")
    press(page, page.get_by_role("button", name="Save draft"))
    expect(page.get_by_text("Draft saved at")).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Sign out"))
    page.goto("/login")
    type_into(page, page.get_by_label("Email address"), EMAIL)
    type_into(page, page.get_by_label("Password", exact=True), PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert heading(page) == "My applications"
    expect(page.get_by_text("Draft (not yet submitted)").first).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Continue Sister-city climate exchange"))
    assert heading(page) == "What, how and why"  # the first page with something missing
    assert page.get_by_label("What will you do?").input_value() == "Host a delegation from Monterrey."
    type_into(page, page.get_by_label("How will you do it?"), "Quarter 1 plan, quarter 2 visit, quarter 3 host.")
    type_into(page, page.get_by_label("Why does it matter to your residents?"), "Retrofit jobs and investment.")
    continue_(page)

    # -- page 4: success ----------------------------------------------------------------
    assert heading(page) == "Success"
    assert_accessible(page)
    type_into(page, page.get_by_label("How do you define success?"), "Three retrofits started with partners.")
    type_into(page, page.get_by_label("Jobs created"), "12")
    type_into(page, page.get_by_label("How will you measure progress?"), "Our economic development office.")
    continue_(page)

    # -- page 5: community partners (a conditional, repeatable group) -------------------
    assert heading(page) == "Community partners"
    assert_accessible(page)
    expect(page.get_by_label("Partner's name")).to_be_hidden()  # shown only after a "Yes"
    choose_radio(page, page.get_by_role("radio", name="Yes"))
    expect(page.get_by_label("Partner's name")).to_be_visible()
    type_into(page, page.get_by_label("Partner's name"), "Des Moines Area Community College")
    choose_radio(page, page.get_by_label("Academic institution"))
    type_into(page, page.get_by_label("Their role in the project"), "Runs the retrofit training.")
    continue_(page)

    # -- page 6: budget, with an error to fix -------------------------------------------
    assert heading(page) == "Budget"
    assert_accessible(page)
    assert page.get_by_label("Amount requested (US dollars)").input_value() == "50000"
    tab_to(page, page.get_by_label("Category"), TABS)
    page.keyboard.type("Travel")
    type_into(page, page.get_by_label("What it pays for"), "Two delegations")
    type_into(page, page.get_by_label("Amount (US dollars)", exact=True), "40000")
    choose_radio(page, page.get_by_role("radio", name="Yes"), steps_down=1)  # No matching funds
    continue_(page)
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("The lines add up to $40,000.00, but the total is $50,000.00")
    assert page.get_by_label("Amount (US dollars)", exact=True).input_value() == "40000"  # kept as typed
    assert_accessible(page)  # the error state too
    type_into(page, page.get_by_label("Amount (US dollars)", exact=True), "50000")
    continue_(page)

    # -- page 7: certification, then the review -----------------------------------------
    assert heading(page) == "Certification"
    assert_accessible(page)
    type_into(page, page.get_by_label("Your full name"), "Alex Romero")
    type_date(page, page.get_by_label("Today's date"), "01052027")
    press(page, page.get_by_role("button", name="Save and review the application"))
    assert heading(page) == "Check your answers before submitting"
    expect(page.get_by_text("Sister-city climate exchange").first).to_be_visible()
    expect(page.get_by_text("Des Moines Area Community College")).to_be_visible()
    assert page.get_by_text("to complete before you can submit").count() == 0
    assert_accessible(page)

    # -- submit and see the status ------------------------------------------------------
    press(page, page.get_by_role("button", name="Submit the application"))
    assert heading(page) == "Your application is submitted"
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Go to my applications"))
    expect(page.locator("main").get_by_text("Submitted", exact=True).first).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Status and answers of Sister-city climate exchange"))
    assert heading(page) == "Sister-city climate exchange"
    expect(page.get_by_text("Current status:")).to_be_visible()
    assert_accessible(page)

    with live_db():
        application = db.session.scalar(select(Application))
        assert application.state == "submitted"
        assert application.amount_requested_cents == 5_000_000
        assert application.themes == ["climate", "trade_investment"]
        assert application.answers["partners"][0]["type"] == "academic"
        assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == EMAIL,
                                                           OutboxEmail.subject.like("Application received%")))


def test_autosave_keeps_typing_without_pressing_a_button(page, live_db):
    with live_db():
        applicant = factories.create_applicant(email=EMAIL)
        application = factories.create_application(organisation=applicant.organisation, answers={})
        application_id = application.id
    page.goto("/login")
    type_into(page, page.get_by_label("Email address"), EMAIL)
    type_into(page, page.get_by_label("Password", exact=True), factories.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"/applications/{application_id}/pages/plan")
    type_into(page, page.get_by_label("What will you do?"), "Typed, never saved by hand")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved automatically", timeout=10_000)
    assert_accessible(page)
    page.reload()
    assert page.get_by_label("What will you do?").input_value() == "Typed, never saved by hand"
