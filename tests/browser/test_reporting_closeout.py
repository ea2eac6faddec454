"""A grant from accepted award to closed, in a real browser, with axe on every page:
the grantee files an interim and a final report, staff accept them, record the
payments, work through the closeout checklist and close the grant; on workflow
and form v1 and on v2 (whose states are all named differently)."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.awards.models import Letter
from grantflow.core.db import utcnow
from grantflow.extensions import db

from tests import factories
from tests.browser.conftest import assert_accessible
from tests.factories_reporting import create_grant

pytestmark = pytest.mark.browser


def visit(page, label: str, *, role: str = "link") -> None:
    page.get_by_role(role, name=label, exact=True).first.click()
    page.wait_for_load_state()
    assert_accessible(page)


def sign_in(page, user) -> None:
    page.goto("/login")
    assert_accessible(page)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def continue_page(page) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_have_count(0)
    assert_accessible(page)


def file_report(page, title: str, *, final: bool) -> None:
    """From the grantee's grant page: open the report, fill every page, submit."""
    visit(page, title)
    visit(page, "Start the report")
    if final:
        page.get_by_label("What did the project achieve?").fill(
            "Hosted three delegations from Monterrey and signed a water-reuse agreement.")
        page.get_by_label("What would you tell another city or state starting a similar project?").fill(
            "Bring the utility in from the first meeting.")
    else:
        page.get_by_label("What did you do in this period?").fill(
            "Hosted the Monterrey delegation and ran two community sessions.")
    continue_page(page)
    page.get_by_label("Jobs created").fill("6" if final else "2")
    page.get_by_label("Events held").fill("5" if final else "2")
    page.get_by_label("Residents engaged").fill("900" if final else "300")
    continue_page(page)
    if final:
        page.get_by_label("Total spent from the award (US dollars)").fill("100,000")
        page.get_by_label("Award funds left unspent (US dollars)").fill("0")
    page.get_by_label("Category").select_option("travel")
    page.get_by_label("Amount spent (US dollars)").fill("100000" if final else "42,000")
    continue_page(page)
    page.get_by_label("A success story").fill("A student exchange turned into three apprenticeships.")
    page.get_by_label("Yes").check()
    continue_page(page)  # the check-and-submit page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check and submit")
    page.get_by_role("button", name="Submit the report").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("submitted")
    assert_accessible(page)


def accept_report(page, title: str) -> None:
    page.goto("/reporting/staff")
    assert_accessible(page)
    visit(page, title)
    page.get_by_role("button", name="Accept the report").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("accepted")
    assert_accessible(page)


def record_payment(page, application_id: int, tranche_label: str, amount: str) -> None:
    page.goto(f"/reporting/grants/{application_id}/payments")
    assert_accessible(page)
    page.get_by_label("Payment", exact=True).select_option(label=next(
        text for text in page.get_by_label("Payment", exact=True).locator("option").all_inner_texts()
        if text.startswith(tranche_label)))
    page.get_by_label("Amount paid (US dollars)").fill(amount)
    page.get_by_label("Date paid").fill(utcnow().date().isoformat())
    page.get_by_label("Payment reference").fill(f"ASAP-{tranche_label[:5]}")
    page.get_by_role("button", name="Record the payment").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("recorded")
    assert_accessible(page)


@pytest.mark.parametrize("version", [1, 2])
def test_grantee_reports_and_staff_close_the_grant_out(page, live_db, version):
    with live_db():
        application = create_grant(targets={"jobs_created": 5, "events_held": 4},
                                   period_start=date(2025, 1, 1), period_end=date(2025, 12, 31), version=version)
        grantee = application.organisation.members[0]
        admin = factories.create_user("admin", name="Fund Officer")
        application_id, title = application.id, application.title
        grantee, admin = grantee.email, admin.email
    grantee = type("Who", (), {"email": grantee})
    admin = type("Who", (), {"email": admin})

    # the grantee files the interim report
    sign_in(page, grantee)
    page.goto("/reporting/")
    assert_accessible(page)
    visit(page, title)
    file_report(page, "Interim report 1", final=False)
    sign_out(page)

    # staff accept it (the second payment becomes due) and pay the first two tranches
    sign_in(page, admin)
    assert_accessible(page)  # the admin dashboard, with the reports panel
    accept_report(page, f"Interim report 1: L2G-{application_id:05d}")
    record_payment(page, application_id, "First payment", "50,000")
    record_payment(page, application_id, "Second payment", "40000.00")
    sign_out(page)

    # the grantee files the final report and sees the payments
    sign_in(page, grantee)
    page.goto(f"/reporting/grants/{application_id}")
    assert_accessible(page)
    expect(page.get_by_role("table", name="Payments made")).to_contain_text("$40,000.00")
    file_report(page, "Final report", final=True)
    sign_out(page)

    # staff accept the final report (closeout starts), pay the last tranche, and close out
    sign_in(page, admin)
    accept_report(page, f"Final report: L2G-{application_id:05d}")
    record_payment(page, application_id, "Final payment", "10,000")
    page.goto(f"/reporting/grants/{application_id}/closeout")
    assert_accessible(page)
    page.get_by_role("button", name="Accept the final financial report").click()
    page.wait_for_load_state()
    assert_accessible(page)
    expect(page.locator(".checklist .todo")).to_have_count(0)
    page.get_by_role("button", name="Close the grant").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("The grant is closed")
    assert_accessible(page)
    page.goto(f"/reporting/grants/{application_id}")
    expect(page.locator("main")).to_contain_text("This grant is closed")
    assert_accessible(page)

    with live_db() as session:
        from grantflow.applications.models import Application
        from grantflow.core.workflow import meaning

        closed = session.get(Application, application_id)
        assert (closed.workflow_version, meaning.stage_of(closed)) == (version, "completed")
        assert session.scalar(select(Letter).where(Letter.application_id == application_id,
                                                   Letter.kind == "closeout")) is not None
