"""A reviewer, by keyboard only: sign in, open the queue, declare no conflict,
score every criterion of the rubric (a low score with its comment), choose a
recommendation and submit; axe-core on every page visited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.core.db import utcnow
from grantflow.extensions import db
from grantflow.reviews.models import Review

from tests import factories
from tests import factories_reviews as fr
from tests.browser.conftest import assert_accessible, tab_to

pytestmark = pytest.mark.browser

CRITERIA = ("clarity", "benefit", "partnerships", "feasibility", "success")


def _enter(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)


def _choose(page, radio_id: str, level: int) -> None:
    """Tab into the radio group, select its first level with Space, then arrow down."""
    tab_to(page, page.locator(f"#{radio_id}-0"), max_presses=80)
    page.keyboard.press("Space")
    for _ in range(level - 1):
        page.keyboard.press("ArrowDown")


def test_a_reviewer_declares_no_conflict_and_scores_by_keyboard(page, live_db):
    with live_db():
        round_ = factories.create_round(name="Spring 2026 round", review_due_at=utcnow() + timedelta(days=14))
        application = fr.create_in_review(round_, title="Monterrey water-reuse exchange")
        reviewer = fr.create_reviewer(name="Rita Reviewer", email="rita.reviewer@example.org")
        assignment = fr.create_assignment(application, reviewer, coi="undeclared")
        assignment_id = assignment.id

    page.goto("/login")
    assert_accessible(page)
    tab_to(page, page.get_by_label("Email address"))
    page.keyboard.type("rita.reviewer@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    _enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("My review queue")
    expect(page.get_by_role("cell", name="Not started")).to_be_visible()

    tab_to(page, page.get_by_role("link", name="Monterrey water-reuse exchange"))
    _enter(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("any conflict of interest?")
    expect(page.get_by_text("Host and send delegations")).to_have_count(0)

    tab_to(page, page.get_by_role("radio", name="No: I have no conflict of interest"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Confirm my answer"))
    _enter(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review L2G-")
    expect(page.get_by_text("Host and send delegations on building retrofits.")).to_be_visible()

    for criterion in CRITERIA[:-1]:
        _choose(page, f"score_{criterion}", 4)
    _choose(page, "score_success", 2)
    page.keyboard.press("Tab")  # to the comment the low score requires
    page.keyboard.type("The metrics have no baseline.")
    _choose(page, "recommendation", 2)
    page.keyboard.press("Tab")
    page.keyboard.type("Strong partners; add baselines before the award.")
    tab_to(page, page.get_by_role("button", name="Submit review"))
    _enter(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("My review queue")
    expect(page.locator(".flash-success")).to_contain_text("is submitted")
    expect(page.get_by_role("cell", name="Submitted")).to_be_visible()

    with live_db():
        review = db.session.scalar(select(Review).where(Review.assignment_id == assignment_id))
        assert review.status == "submitted"
        assert review.scores == {"clarity": 4, "benefit": 4, "partnerships": 4, "feasibility": 4, "success": 2}
        assert review.comments == {"success": "The metrics have no baseline."}
        assert review.recommendation == "fund_with_conditions"
        assert review.weighted_score == 65.0


def test_missing_scores_are_shown_next_to_the_fields(page, live_db):
    with live_db():
        application = fr.create_in_review(factories.create_round(), title="Cross-border trade desk")
        reviewer = fr.create_reviewer(email="sam.scorer@example.org")
        fr.create_assignment(application, reviewer, coi="none")

    page.goto("/login")
    page.get_by_label("Email address").fill("sam.scorer@example.org")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Cross-border trade desk").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_contain_text("Choose a score.")
    expect(page.locator("#score_clarity-error")).to_contain_text("Choose a score.")
    assert_accessible(page)


def test_admin_review_pages_are_accessible(page, live_db):
    with live_db():
        round_ = factories.create_round(name="Autumn round", reviews_per_application=1, budget_cents=10_000_000)
        applications = [fr.create_in_review(round_, title=f"Project {n}") for n in range(3)]
        reviewers = [fr.create_reviewer(name=f"Reviewer {n}", cap=2) for n in range(2)]
        for application, reviewer in zip(applications[:2], reviewers):
            fr.create_review(fr.create_assignment(application, reviewer))
        factories.create_user("admin", email="ada.admin@example.gov")

    page.goto("/login")
    page.get_by_label("Email address").fill("ada.admin@example.gov")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("link", name="Settings of Autumn round").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Assignments for Autumn round").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Assign reviewers").click()
    page.wait_for_load_state()
    expect(page.locator("#last-run")).to_contain_text("Filled 1 of 1 reviewer place")
    assert_accessible(page)
    page.get_by_role("link", name="See the ranking").click()
    page.wait_for_load_state()
    expect(page.locator("tr.funding-line")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name="Calibrated").click()  # server-side sort, no JavaScript needed
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviewers").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("link", name="Edit Reviewer 0's profile").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Most applications per round").fill("")
    page.get_by_role("button", name="Save the profile").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_contain_text("Enter a number.")
    assert_accessible(page)
