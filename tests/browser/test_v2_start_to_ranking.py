"""The start of the lifecycle on workflow and form v2, in a real browser (the
rest, from the ranking to the closed grant, is in test_versions_side_by_side.py
and test_reporting_closeout.py): the applicant submits, staff screen and send
it to the panel with v2's own buttons, assign the reviewer, the reviewer
declares no conflict and scores, and the application reaches the ranking and
the round hub's decisions; axe-core on every page."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from grantflow.applications.models import Application
from grantflow.applications.operations import start_application
from grantflow.core.workflow import meaning
from grantflow.demo import answers as demo_answers

from tests import factories
from tests.browser.conftest import assert_accessible
from tests.browser.test_versions_side_by_side import sign_in, sign_out
from tests.factories_reviews import create_reviewer
from tests.meaning.lifecycle import facts

pytestmark = pytest.mark.browser


def _click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()
    if page.get_by_role("heading", level=1).inner_text().startswith("Confirm:"):
        assert_accessible(page)
        page.get_by_role("button", name="Yes,").click()
        page.wait_for_load_state()
    assert_accessible(page)


def test_v2_from_submission_to_the_ranking_in_the_browser(page, live_db):
    with live_db():
        admin = factories.create_user("admin", name="Fran Admin")
        reviewer = create_reviewer(expertise=("climate",), name="Rita Reviewer")
        round_ = factories.create_round(name="Round on v2", workflow_version=2, form_version=2,
                                        reviews_per_application=1)
        organisation = factories.create_organisation(name="City of Testville")
        applicant = factories.create_user("applicant", organisation=organisation, name="Dana Whitfield")
        answers = demo_answers.from_examples(round_.application_form(),
                                             facts("Trade mission to Monterrey", date.today() + timedelta(days=60)))
        application = start_application(round_, organisation, applicant, answers)
        ids = (round_.id, application.id)
        emails = (admin.email, reviewer.email, applicant.email)
    round_id, application_id = ids
    admin_email, reviewer_email, applicant_email = emails

    sign_in(page, applicant_email)
    page.goto(f"/applications/{application_id}/review")
    assert_accessible(page)
    _click(page, "Submit the application")
    sign_out(page)

    sign_in(page, admin_email)
    page.goto(f"/admin/applications/{application_id}")
    assert_accessible(page)
    _click(page, "Begin the eligibility check")
    _click(page, "Send to the panel")
    with live_db() as session:
        assert meaning.stage_of(session.get(Application, application_id)) == "reviewing"
    page.goto(f"/reviews/admin/rounds/{round_id}/assignments")
    assert_accessible(page)
    _click(page, "Assign reviewers")
    expect(page.locator("main")).to_contain_text("Rita Reviewer")
    sign_out(page)

    sign_in(page, reviewer_email)
    page.get_by_role("link", name="Trade mission to Monterrey").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("radio", name="No: I have no conflict of interest").check()
    _click(page, "Confirm my answer")
    for criterion in ("clarity", "benefit", "partnerships", "feasibility", "success"):
        page.locator(f"#score_{criterion}-3").check()
    page.locator("#recommendation-0").check()
    _click(page, "Submit review")
    sign_out(page)

    sign_in(page, admin_email)
    page.goto(f"/reviews/admin/rounds/{round_id}/ranking")
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text("Trade mission to Monterrey")
    page.goto(f"/admin/rounds/{round_id}")
    expect(page.locator("main")).to_contain_text("Decisions: 1")
    assert_accessible(page)
    with live_db() as session:
        reviewed = session.get(Application, application_id)
        assert (reviewed.workflow_version, meaning.stage_of(reviewed)) == (2, "deciding")
        assert reviewed.state == "panel_done"
