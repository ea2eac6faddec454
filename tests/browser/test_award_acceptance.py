"""An applicant reads the award offer, downloads the letter and accepts the
award with the keyboard alone; staff record terms and send a round's letters.
axe-core reports no WCAG 2.1 A/AA violation on any page visited."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.applications.models import Application
from grantflow.awards.models import Award
from grantflow.core.models import OutboxEmail

from tests import factories, factories_awards as fa
from tests.browser.conftest import assert_accessible, tab_to

pytestmark = pytest.mark.browser


def sign_in_by_keyboard(page, email: str) -> None:
    page.goto("/login")
    assert_accessible(page)
    tab_to(page, page.get_by_label("Email address"))
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_applicant_downloads_and_accepts_the_award_by_keyboard(page, live_db, tmp_path):
    with live_db() as session:
        application, award, applicant, admin, letter = fa.create_offered_application()
        application_id, award_number, email = application.id, award.award_number, applicant.email
        offer_email = session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == email))
        link = next(line for line in offer_email.body_text.splitlines() if "/awards/" in line).split()[-1]

    sign_in_by_keyboard(page, email)
    page.goto(link)  # the link in the offer email
    expect(page.get_by_role("heading", level=1)).to_contain_text(award_number)
    expect(page.get_by_role("cell", name="$37,500.00")).to_be_visible()
    assert_accessible(page)

    download_link = page.get_by_role("link", name="Download the award letter")
    tab_to(page, download_link)
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.name.endswith("award-letter-v1.pdf") and saved.read_bytes().startswith(b"%PDF")

    name_field = page.get_by_label("Type your full name to accept the award")
    tab_to(page, name_field)
    page.keyboard.type("Someone Else")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form
    expect(page.locator(".error-summary")).to_contain_text("the name on your account")
    expect(name_field).to_have_value("Someone Else")  # what was typed is kept
    assert_accessible(page)

    tab_to(page, name_field)
    page.keyboard.press("Control+A")
    page.keyboard.type("Dana Whitfield")
    tab_to(page, page.get_by_role("button", name="Accept the award"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text(f"award {award_number} is accepted")
    expect(page.get_by_text("You accepted this award")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/applications/{application_id}/letters")
    expect(page.get_by_role("link", name="Download award letter version 1")).to_be_visible()
    assert_accessible(page)

    with live_db() as session:
        accepted = session.scalar(select(Award).where(Award.application_id == application_id))
        assert accepted.accepted_name == "Dana Whitfield" and accepted.accepted_ip == "127.0.0.1"
        assert [t.status for t in accepted.tranches] == ["due", "scheduled", "scheduled"]
        assert session.get(Application, application_id).state == "active"


def test_staff_record_terms_and_send_a_rounds_letters(page, live_db):
    with live_db():
        admin = fa.create_admin()
        organisation, applicant = fa.create_applicant_pair()
        application = factories.create_application(organisation=organisation, state="reviews_complete",
                                                   created_by=applicant, amount_requested_cents=8_000_000)
        factories.create_application(round_=application.round, state="declined")  # a decline letter too
        application_id, round_id, admin_email = application.id, application.round_id, admin.email

    sign_in_by_keyboard(page, admin_email)
    page.goto(f"/applications/{application_id}/award")
    assert_accessible(page)
    page.get_by_label("Period of performance: start").fill("2026-07-01")
    page.get_by_label("Period of performance: end").fill("2026-06-30")  # before the start
    page.get_by_role("button", name="Record the terms and award").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_contain_text("must end after it starts")
    assert_accessible(page)
    page.get_by_label("Period of performance: end").fill("2027-06-30")
    page.get_by_label("Conditions").fill("Acknowledge the Office in public materials.")
    page.get_by_role("button", name="Record the terms and award").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("Awarded")
    assert_accessible(page)  # the award's page

    page.goto(f"/admin/rounds/{round_id}/letters")
    assert_accessible(page)
    page.get_by_label("Send the letters once they are rendered").check()
    page.get_by_role("button", name="Render the letters").click()
    page.wait_for_load_state()
    expect(page.get_by_text("2 of 2 letters finished")).to_be_visible()
    assert_accessible(page)  # the batch's progress page

    page.get_by_role("link", name="Awards", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)
    with live_db() as session:
        assert session.get(Application, application_id).state == "award_offered"
