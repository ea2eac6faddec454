"""Nothing typed is lost (users.kept), for every kind of form a person types
into: type, let the session or the form token expire (cookies cleared, or the
token tampered with), submit, see what was typed kept, sign in again, save,
and find it stored. One table row per form kind; axe on every page."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.applications.models import Application
from grantflow.awards.models import Award
from grantflow.core.models import AuditEvent, OutboxEmail
from grantflow.organisations.models import Organisation
from grantflow.reporting.models import Report
from grantflow.reviews.models import Review

from tests import factories, factories_awards as fa, factories_reviews as fr
from tests.browser.conftest import assert_accessible
from tests.browser.page_checks import phone_problems
from tests.factories_reporting import create_grant

pytestmark = pytest.mark.browser


@dataclass
class FormKind:
    """``setup()`` (in the live database) returns the user's email, the page with the
    form and ids for ``stored``; ``typed`` maps a field's label to what is typed
    into it; ``button`` saves; ``stored(session, ids)`` finds the saved text."""
    name: str
    setup: Callable[[], tuple[str, str, dict]]
    typed: dict[str, str | bool]  # True: a radio button or check box to tick
    button: str
    stored: Callable[[object, dict], bool]
    open_page: Callable | None = None  # for a page reached by clicking (a report's first page)


def _audited(session, application_id: int, text: str) -> bool:
    return any(text in (event.comment or "") or text in str(event.data) for event in session.scalars(
        select(AuditEvent).where(AuditEvent.application_id == application_id)))


def _report():
    application = create_grant()
    return application.organisation.members[0].email, f"/reporting/grants/{application.id}", \
        {"application_id": application.id}


def _open_report(page):
    page.get_by_role("link", name="Interim report 1").first.click()
    page.get_by_role("link", name="Start the report").click()
    page.wait_for_load_state()


def _review():
    application = fr.create_in_review(factories.create_round(), title="Monterrey water-reuse exchange")
    assignment = fr.create_assignment(application, fr.create_reviewer())
    return assignment.reviewer.email, f"/reviews/assignments/{assignment.id}", {"assignment_id": assignment.id}


def _move():
    admin = factories.create_user("admin")
    application = factories.create_application(factories.create_round(), factories.create_organisation(),
                                               state="screening")
    return admin.email, f"/admin/applications/{application.id}", {"application_id": application.id}


def _award():
    application, award, applicant, admin, letter = fa.create_offered_application()
    return applicant.email, f"/awards/{application.id}", {"application_id": application.id}


def _new_applicant():
    return factories.create_user("applicant").email, "/organisation/", {}


def _member():
    applicant = factories.create_applicant(factories.create_organisation(name="City of Ames"))
    return applicant.email, "/organisation/", {}


def _draft():
    applicant = factories.create_applicant()
    application = factories.create_application(factories.create_round(), applicant.organisation)
    return applicant.email, f"/applications/{application.id}/withdraw", {"application_id": application.id}


def _open_round():
    applicant = factories.create_applicant()
    return applicant.email, f"/applications/start/{factories.create_round().id}", \
        {"organisation_id": applicant.organisation_id}


MOVE_COMMENT = "Comment for “Request more information” (required)"

KINDS = [
    FormKind("report page", _report, {"What did you do in this period?": "Hosted the Monterrey delegation."},
             "Save and continue",
             lambda s, ids: "Hosted the Monterrey delegation." in str(s.scalar(select(Report.answers).where(
                 Report.application_id == ids["application_id"], Report.sequence == 1))),
             open_page=_open_report),
    FormKind("reviewer scores and comments", _review,
             {"Overall comment": "Strong partners; add baselines."}, "Save draft",
             lambda s, ids: s.scalar(select(Review.overall_comment).where(
                 Review.assignment_id == ids["assignment_id"])) == "Strong partners; add baselines."),
    FormKind("staff comment on a move", _move, {MOVE_COMMENT: "Please add the university's letter."},
             "Request more information",
             lambda s, ids: _audited(s, ids["application_id"], "Please add the university's letter.")),
    FormKind("typed-name acceptance", _award, {"Type your full name to accept the award": "Dana Whitfield"},
             "Accept the award",
             lambda s, ids: s.scalar(select(Award.accepted_name).where(
                 Award.application_id == ids["application_id"])) == "Dana Whitfield"),
    FormKind("organization profile", _new_applicant,
             {"Name of your government": "City of Des Moines", "City or township government": True,
              "State or territory": "IA", "Population": "214133"}, "Create the organization",
             lambda s, ids: s.scalar(select(Organisation).where(Organisation.name == "City of Des Moines"))
             is not None),
    FormKind("colleague invitation", _member,
             {"Your colleague's full name": "Ada Byron", "Their work email address": "ada.byron@ames.gov"},
             "Send the invitation",
             lambda s, ids: s.scalar(select(OutboxEmail).where(OutboxEmail.recipient == "ada.byron@ames.gov"))
             is not None),
    FormKind("withdrawal reason", _draft, {"Why are you withdrawing? (optional)": "The council said no."},
             "Yes, withdraw the application",
             lambda s, ids: _audited(s, ids["application_id"], "The council said no.")),
    FormKind("eligibility answers", _open_round,
             {"Amount requested (US dollars)": "50,000", "Start date": "2027-01-15", "End date": "2027-12-31"},
             "Check and start the application",
             lambda s, ids: s.scalar(select(Application).where(
                 Application.organisation_id == ids["organisation_id"])) is not None),
]


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _type(page, kind: FormKind) -> None:
    for label, value in kind.typed.items():
        field = page.get_by_label(label, exact=True)
        if value is True:
            field.check()
        elif field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _accessible_on_a_phone_too(page) -> None:
    assert_accessible(page)
    problems, violations = phone_problems(page)
    assert not problems and not violations, (page.url, problems, violations)


def _expect_typed_back(page, kind: FormKind) -> None:
    expect(page.locator("#kept-notice")).to_contain_text("Not saved yet")
    for label, value in kind.typed.items():
        field = page.get_by_label(label, exact=True)
        expect(field).to_be_checked() if value is True else expect(field).to_have_value(value)
    _accessible_on_a_phone_too(page)


def _save(page, kind: FormKind, live_db, ids) -> None:
    page.get_by_role("button", name=kind.button).click()
    page.wait_for_load_state()
    expect(page.locator("#kept-notice")).to_have_count(0)
    with live_db() as session:
        assert kind.stored(session, ids), f"{kind.name}: the typed text was not stored"


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_a_signed_out_post_keeps_the_text_through_signing_in(page, live_db, kind):
    with live_db():
        email, url, ids = kind.setup()
    _sign_in(page, email)
    page.goto(url)
    if kind.open_page:
        kind.open_page(page)
    _type(page, kind)

    page.context.clear_cookies()  # the session is gone, and with it the form's token
    page.get_by_role("button", name=kind.button).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to keep what you typed")
    for text in kind.typed.values():
        if isinstance(text, str) and len(text) > 2:  # (a state code is a choice, not typed text)
            expect(page.locator("textarea[readonly]").filter(has_text=text)).to_have_count(1)
    _accessible_on_a_phone_too(page)

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in and get back what I typed").click()
    page.wait_for_load_state()
    _expect_typed_back(page, kind)
    _save(page, kind, live_db, ids)


@pytest.mark.parametrize("kind", [KINDS[1], KINDS[3]], ids=[KINDS[1].name, KINDS[3].name])
def test_a_stale_form_token_comes_back_filled_in(page, live_db, kind):
    with live_db():
        email, url, ids = kind.setup()
    _sign_in(page, email)
    page.goto(url)
    _type(page, kind)
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(i => { i.value = 'stale'; })")
    page.get_by_role("button", name=kind.button).click()
    page.wait_for_load_state()
    _expect_typed_back(page, kind)
    _save(page, kind, live_db, ids)


def test_a_visitors_registration_comes_back_without_its_passwords(page, live_db):
    """A form for visitors (no account to keep it for): the browser's own session carries it back."""
    from grantflow.users.models import PendingRegistration

    page.goto("/register")
    typed = {"Your full name": "Ada Byron", "Job title": "City clerk", "Work email address": "ada.byron@ames.gov"}
    for label, text in typed.items():
        page.get_by_label(label).fill(text)
    page.get_by_label("Password", exact=True).fill("a long enough passphrase 42")
    page.context.clear_cookies()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    expect(page.locator("#kept-notice")).to_contain_text("Not saved yet")
    for label, text in typed.items():
        expect(page.get_by_label(label)).to_have_value(text)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")  # never echoed: typed again
    _accessible_on_a_phone_too(page)

    page.get_by_label("Password", exact=True).fill("a long enough passphrase 42")
    page.get_by_label("Repeat the password").fill("a long enough passphrase 42")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    with live_db() as session:
        assert session.scalar(select(PendingRegistration.name).where(
            PendingRegistration.email == "ada.byron@ames.gov")) == "Ada Byron"
