"""The mentor network in a real browser, from opt-in to a logged conversation:
a closed grantee offers to mentor, an applicant drafting an application asks
for a mentor, the administrator proposes and approves the match, both accept,
see each other's contact details, and the mentor logs a conversation by
keyboard. axe on every page, at the desktop width and at 390 px (no sideways
scroll); the forms' errors are announced."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.core.db import utcnow
from grantflow.extensions import db

from tests import factories
from tests import factories_mentoring as fm
from tests.browser.conftest import assert_accessible, tab_to, sign_in
from tests.browser.page_checks import error_problems, keyboard_problems, phone_problems

pytestmark = pytest.mark.browser


def check(page) -> None:
    assert_accessible(page)
    sideways, violations = phone_problems(page)
    assert not sideways and not violations, (sideways, [v["id"] for v in violations])


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def go(page, name: str, role: str = "link") -> None:
    page.get_by_role(role, name=name).first.click()
    page.wait_for_load_state()
    check(page)


def test_from_opt_in_to_a_logged_conversation(page, live_db):
    with live_db():
        mentor = fm.create_grantee(grant_state="closed", name="City of Tucson", state="AZ")
        mentee = fm.create_drafter(name="City of Flagstaff", state="AZ")
        admin = factories.create_user("admin", name="Morgan Admin")
        mentor_email, mentee_email, admin_email = mentor.email, mentee.email, admin.email
        mentor_name, mentee_name = mentor.name, mentee.name

    # the closed grantee offers to mentor; an empty theme list is announced next to its field
    sign_in(page, mentor_email)
    go(page, "Mentors")
    go(page, "Offer to mentor")
    page.get_by_role("button", name="Offer to mentor").click()
    page.wait_for_load_state()
    assert error_problems(page) == []
    check(page)
    page.get_by_label("Climate").check()
    page.get_by_label("Spanish").check()
    page.get_by_label("A short note for the governments you may mentor").fill(
        "We ran a water-reuse exchange with Hermosillo.")
    page.get_by_label("List my profile in the mentor directory").check()
    page.get_by_role("button", name="Offer to mentor").click()
    page.wait_for_load_state()
    expect(page.get_by_text("you are offering to mentor")).to_be_visible()
    check(page)
    sign_out(page)

    # the applicant drafting an application sees the directory and asks
    sign_in(page, mentee_email)
    go(page, "Mentors")
    go(page, "See the mentor directory")
    expect(page.get_by_role("heading", name=mentor_name)).to_be_visible()
    assert mentor_email not in page.content()
    go(page, "Mentors")
    go(page, "Ask for a mentor")
    page.get_by_label("What would you like help with?").fill("How do we budget our first delegation?")
    page.get_by_label("Climate").check()
    page.get_by_role("button", name="Ask for a mentor").click()
    page.wait_for_load_state()
    check(page)
    sign_out(page)

    # the administrator proposes and approves
    sign_in(page, admin_email)
    go(page, "Mentoring")
    go(page, "Propose matches", role="button")
    expect(page.get_by_text("1 match proposed")).to_be_visible()
    go(page, f"Approve {mentor_name} for {mentee_name}", role="button")
    sign_out(page)

    # both accept; the contact details appear only then
    for email, other_email, other_name in ((mentee_email, mentor_email, mentor_name),
                                           (mentor_email, mentee_email, mentee_name)):
        sign_in(page, email)
        go(page, "Mentors")
        page.get_by_role("link", name=other_name).first.click()
        page.wait_for_load_state()
        check(page)
        assert other_email not in page.content()
        go(page, "Accept the match", role="button")
        if email == mentee_email:
            sign_out(page)
    expect(page.get_by_role("link", name=mentee_email)).to_be_visible()

    # the mentor logs a conversation, by keyboard alone
    assert keyboard_problems(page, "main form[method=post]:last-of-type") == []
    tab_to(page, page.get_by_label("Date of the conversation"))
    page.keyboard.type(utcnow().strftime("%m%d%Y"))
    tab_to(page, page.get_by_label("Topic"))
    page.keyboard.type("Budgeting the delegation")
    tab_to(page, page.get_by_label("What came of it"))
    page.keyboard.type("Moved travel money to hosting the return visit.")
    tab_to(page, page.get_by_role("button", name="Log the conversation"))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Budgeting the delegation")).to_be_visible()
    check(page)

    with live_db():
        from grantflow.mentoring.models import MentoringConversation

        [talk] = db.session.scalars(select(MentoringConversation)).all()
        assert talk.held_on == utcnow().date() and talk.match.status == "introduced"
