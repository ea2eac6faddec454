"""Staff work the application list and the workflow in a real browser, with
axe on every page: filter, bulk-move, open an application, make a move that
needs a comment, confirm an irreversible one, and read the workflow diagrams."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grantflow.applications.models import Application
from grantflow.extensions import db

from tests import factories
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_staff_move_applications_through_the_workflow(page, live_db):
    with live_db():
        admin_email = factories.create_user("admin", name="Fran Admin").email
        round_ = factories.create_round(name="Spring round")
        ids = []
        for name, state in (("City of Ames", "submitted"), ("Tulsa County", "submitted"),
                            ("Government of Guam", "screening")):
            organisation = factories.create_organisation(name=name)
            factories.create_applicant(organisation)
            ids.append(factories.create_application(round_, organisation, state=state,
                                                    title=f"{name} exchange").id)
    ames_id, tulsa_id, guam_id = ids

    sign_in(page, admin_email)
    page.get_by_role("link", name="Applications", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.get_by_label("Workflow state").select_option("submitted")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    expect(page.locator("#result-count")).to_contain_text("Showing 1–2 of 2 applications matching the filters.")
    assert_accessible(page)

    page.get_by_label("Select L2G-%05d" % ames_id).check()
    page.get_by_label("Select L2G-%05d" % tulsa_id).check()
    page.get_by_label("Action", exact=True).select_option("start_screening")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("2 of 2 applications moved")
    assert_accessible(page)

    page.get_by_role("link", name="L2G-%05d" % ames_id).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("City of Ames exchange")
    assert_accessible(page)
    page.get_by_label("Comment for “Request more information” (required)").fill(
        "Please add the letter of support from your university partner.")
    page.get_by_role("button", name="Request more information").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("More information requested")
    expect(page.locator(".workflow-timeline")).to_contain_text("letter of support from your university")
    assert_accessible(page)

    page.goto(f"/admin/applications/{guam_id}")
    page.get_by_label("Comment for “Mark ineligible” (required)").fill("Not a government body.")
    page.get_by_role("button", name="Mark ineligible").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm: Mark ineligible")
    expect(page.get_by_label("Comment (required)")).to_have_value("Not a government body.")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, mark ineligible").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("Ineligible")
    assert_accessible(page)

    page.get_by_role("link", name="Workflows", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("link", name="Small grants (screening and an administrator's decision, no panel)").click()
    page.wait_for_load_state()
    expect(page.locator("svg.workflow-diagram")).to_be_visible()
    assert_accessible(page)

    with live_db():
        states = {a.id: a.state for a in db.session.query(Application)}
    assert states == {ames_id: "more_info_requested", tulsa_id: "screening", guam_id: "ineligible"}
