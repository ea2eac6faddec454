"""Workflow and form v1 and v2 side by side in one database, in a real browser:
for an application of each, reviewed by the panel, an administrator decides
from the ranking page (v2 interviews first), records the award terms and sends
the award letter; the applicant accepts the offer. axe-core on every page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grantflow.applications.models import Application
from grantflow.core import outbox

from tests import factories
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories_reviews import create_reviewer
from tests.meaning.lifecycle import to_decision

pytestmark = pytest.mark.browser


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_v1_and_v2_from_decision_to_accepted_award_in_the_browser(page, live_db):
    with live_db():
        admin = factories.create_user("admin", name="Fran Admin")
        for n in range(3):
            create_reviewer(expertise=("climate",), name=f"Reviewer {n}")
        fund = factories.create_fund()
        cases = []
        for version, title in ((1, "Sister-city climate exchange"), (2, "Trade mission to Monterrey")):
            round_ = factories.create_round(fund, name=f"Round on v{version}", workflow_version=version,
                                            form_version=version)
            outbox.commit()
            application, applicant = to_decision(round_, admin, title=title)
            outbox.commit()
            cases.append((version, round_.id, application.id, applicant.email, title))
        admin_email = admin.email

    for version, round_id, application_id, applicant_email, title in cases:
        sign_in(page, admin_email)
        page.goto(f"/reviews/admin/rounds/{round_id}/ranking")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
        if version == 2:  # the new process: the panel interviews before any award
            expect(page.get_by_role("button", name="Approve the grant")).to_have_count(0)
            page.get_by_role("button", name="Invite to an interview").click()
            page.wait_for_load_state()
            expect(page.locator(".flash-success")).to_contain_text("Interview")
            assert_accessible(page)
        page.get_by_role("link", name="Approve the grant…" if version == 2 else "Award…").click()
        page.wait_for_load_state()
        assert_accessible(page)
        page.get_by_label("Period of performance: start").fill("2027-07-01")
        page.get_by_label("Period of performance: end").fill("2028-06-30")
        page.get_by_role("button", name="Record the terms and award").click()
        page.wait_for_load_state()
        expect(page.locator(".flash-success")).to_contain_text("send the award letter")
        assert_accessible(page)
        page.get_by_role("button", name="Send award letter").click()
        page.wait_for_load_state()
        assert_accessible(page)
        with live_db() as session:
            expected = "offer_sent" if version == 2 else "award_offered"
            assert session.get(Application, application_id).state == expected
        sign_out(page)

        sign_in(page, applicant_email)
        page.goto(f"/awards/{application_id}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Type your full name to accept the award").fill("Dana Whitfield")
        page.get_by_role("button", name="Accept the award").click()
        page.wait_for_load_state()
        expect(page.locator(".flash-success")).to_contain_text("is accepted")
        assert_accessible(page)
        sign_out(page)
        with live_db() as session:
            accepted = session.get(Application, application_id)
            assert (accepted.workflow_version, accepted.form_version) == (version, version)
            assert accepted.state == ("grant_running" if version == 2 else "active")
