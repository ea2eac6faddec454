"""Filling the form page by page: drafts, errors that keep what was typed,
repeatable groups, autosave, and the expired session or CSRF token."""
from __future__ import annotations

import re

import pytest
from sqlalchemy.orm.exc import StaleDataError

from grantflow.extensions import db

from .conftest import reload

PLAN = {"what": "Host a delegation from Monterrey.", "how": "Quarter by quarter.", "why": "Jobs."}


def test_every_page_of_the_default_form_renders(client, signed_in, empty_draft):
    for page in ("applicant", "project", "plan", "success", "partners", "budget", "certification"):
        response = client.get(f"/applications/{empty_draft.id}/pages/{page}")
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert 'aria-label="Sections of the application"' in html and 'aria-current="step"' in html


def test_save_draft_keeps_incomplete_answers_without_complaining(client, signed_in, empty_draft):
    response = client.post(f"/applications/{empty_draft.id}/pages/plan", data={"_action": "save", "what": "Only this"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/pages/plan")
    assert reload(empty_draft).answers["what"] == "Only this"
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft saved at" in follow


def test_save_and_continue_moves_on_when_the_page_is_complete(client, signed_in, empty_draft):
    response = client.post(f"/applications/{empty_draft.id}/pages/plan", data={"_action": "continue", **PLAN})
    assert response.status_code == 302 and response.headers["Location"].endswith("/pages/success")
    response = client.post(f"/applications/{empty_draft.id}/pages/plan", data={"_action": "back", **PLAN})
    assert response.headers["Location"].endswith("/pages/project")
    response = client.post(f"/applications/{empty_draft.id}/pages/plan", data={"_goto": "budget", **PLAN})
    assert response.headers["Location"].endswith("/pages/budget")


def test_the_last_page_leads_to_the_review(client, signed_in, draft):
    response = client.post(f"/applications/{draft.id}/pages/certification",
                           data={"_action": "continue", "certifier_name": "Alex Romero", "certified_on": "2027-01-05"})
    assert response.headers["Location"].endswith(f"/applications/{draft.id}/review")


def test_errors_are_listed_at_the_top_and_next_to_each_field_with_the_typed_text(client, signed_in, empty_draft):
    too_long = "x" * 141
    response = client.post(f"/applications/{empty_draft.id}/pages/project", data={
        "_action": "continue", "title": too_long, "project_summary": "Kept summary", "themes": ["climate"],
        "partner_places-0-country": "Mexico", "project_start": "2027-02-30", "project_end": "2027-12-31"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    summary = html[html.index('class="error-summary"'):html.index("</div>", html.index('class="error-summary"'))]
    assert 'role="alert"' in summary
    assert 'href="#title"' in summary and 'href="#project_start"' in summary
    assert f'value="{too_long}"' in html and 'value="2027-02-30"' in html
    assert 'id="title-error"' in html and 'aria-describedby="title-hint title-error"' in html
    assert 'aria-invalid="true"' in html
    # the valid answers of the page are saved anyway; the invalid ones are not
    answers = reload(empty_draft).answers
    assert answers["project_summary"] == "Kept summary" and answers["project_end"] == "2027-12-31"
    assert "title" not in answers and "project_start" not in answers


def test_required_questions_of_a_page_are_reported_on_continue(client, signed_in, empty_draft):
    response = client.post(f"/applications/{empty_draft.id}/pages/plan", data={"_action": "continue", "what": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter an answer for “How will you do it?”" in html and "Enter an answer for “Why does it matter" in html


def test_long_answers_have_a_counter_and_no_silent_truncation(client, signed_in, empty_draft):
    html = client.get(f"/applications/{empty_draft.id}/pages/plan").get_data(as_text=True)
    assert 'data-maxlength="2500"' in html and 'id="what-count"' in html
    assert "maxlength=" not in html.replace("data-maxlength", "")
    assert "You can enter up to 2,500 characters." in html
    assert 'aria-describedby="what-hint what-count"' in html


def test_repeatable_groups_add_and_remove_items_without_losing_typing(client, signed_in, empty_draft):
    url = f"/applications/{empty_draft.id}/pages/partners"
    response = client.post(url, data={"_action": "add:partners", "has_partners": "yes",
                                      "partners-0-name": "Iowa State University", "partners-0-type": "academic",
                                      "partners-0-role": "Research"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="partners-1-name"' in html and 'value="Iowa State University"' in html
    assert 'data-focus="partners-1-name"' in html
    response = client.post(url, data={"_action": "remove:partners:partners-0", "has_partners": "yes",
                                      "partners-0-name": "Iowa State University", "partners-0-type": "academic",
                                      "partners-0-role": "Research", "partners-1-name": "Latino Resources Center",
                                      "partners-1-type": "community", "partners-1-role": "Outreach"})
    html = response.get_data(as_text=True)
    assert "Iowa State University" not in html and 'value="Latino Resources Center"' in html
    assert reload(empty_draft).answers["partners"] == [
        {"name": "Latino Resources Center", "type": "community", "role": "Outreach"}]


def test_the_conditional_partner_list_is_only_required_with_a_yes(client, signed_in, empty_draft):
    url = f"/applications/{empty_draft.id}/pages/partners"
    response = client.post(url, data={"_action": "continue", "has_partners": "no"})
    assert response.status_code == 302
    response = client.post(url, data={"_action": "continue", "has_partners": "yes"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Add at least 1 partner to “Community partners”." in html
    assert 'name="partners-0-name"' in html  # an empty item to fill in


def test_the_budget_lines_must_add_up_to_the_request(client, signed_in, empty_draft):
    response = client.post(f"/applications/{empty_draft.id}/pages/budget", data={
        "_action": "continue", "amount_requested": "50000", "has_match": "no",
        "budget_lines-0-category": "travel", "budget_lines-0-description": "Trips", "budget_lines-0-amount": "40000"})
    html = response.get_data(as_text=True)
    assert "The lines add up to $40,000.00, but the total is $50,000.00" in html
    assert reload(empty_draft).amount_requested_cents == 5_000_000


def test_the_budget_page_shows_the_running_total_of_the_lines(client, signed_in, empty_draft):
    """The saved figures without JavaScript; static/js/forms.js keeps them up to date as the applicant types."""
    client.post(f"/applications/{empty_draft.id}/pages/budget", data={
        "_action": "save", "amount_requested": "50000", "has_match": "no",
        "budget_lines-0-category": "travel", "budget_lines-0-description": "Trips", "budget_lines-0-amount": "30000",
        "budget_lines-1-category": "personnel", "budget_lines-1-description": "Staff",
        "budget_lines-1-amount": "12,500"})
    html = client.get(f"/applications/{empty_draft.id}/pages/budget").get_data(as_text=True)
    summary = html.split('class="running-sum"')[1].split("</p>")[0]
    assert 'data-sum-group="budget_lines"' in summary and 'data-sum-total="amount_requested"' in summary
    assert "<strong class=\"sum-lines\">$42,500.00</strong>" in summary
    assert "<strong class=\"sum-total\">$50,000.00</strong>" in summary and "($7,500.00 still to assign)" in summary
    other = client.get(f"/applications/{empty_draft.id}/pages/plan").get_data(as_text=True)
    assert "running-sum" not in other


def test_sourced_answers_show_the_profile_and_cannot_be_posted(client, signed_in, draft):
    html = client.get(f"/applications/{draft.id}/pages/applicant").get_data(as_text=True)
    assert signed_in.organisation.name in html and 'name="government_name"' not in html
    client.post(f"/applications/{draft.id}/pages/applicant", data={"_action": "save", "government_name": "Forged"})
    assert reload(draft).answers["government_name"] == signed_in.organisation.name


def test_autosave_answers_in_json_and_reports_unsaved_inputs(client, signed_in, empty_draft):
    url = f"/applications/{empty_draft.id}/pages/success/autosave"
    response = client.post(url, data={"success_definition": "Three retrofits", "metric_targets-jobs_created": "ten"})
    body = response.get_json()
    assert response.status_code == 200 and body["saved"] is True
    assert body["errors"][0]["id"] == "metric_targets-jobs_created"
    assert reload(empty_draft).answers["success_definition"] == "Three retrofits"


def test_autosave_when_signed_out_says_so_in_json(client, empty_draft):
    response = client.post(f"/applications/{empty_draft.id}/pages/plan/autosave", data={"what": "x"})
    assert response.status_code == 401 and "signed out" in response.get_json()["message"]


def test_an_expired_csrf_token_gives_the_typed_answers_back_unsaved(app, client, empty_draft, signed_in, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(f"/applications/{empty_draft.id}/pages/plan",
                           data={"_action": "save", "what": "A long answer typed over an hour", "csrf_token": "stale"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your session expired" in html and "A long answer typed over an hour" in html
    assert re.search(r'name="csrf_token" value="[^"]+"', html)  # a fresh token to save again
    assert "what" not in reload(empty_draft).answers


def test_a_signed_out_applicant_signs_in_again_and_gets_the_answers_back(client, applicant, empty_draft, f):
    db.session.commit()
    url = f"/applications/{empty_draft.id}/pages/plan"
    response = client.post(url, data={"_action": "save", "what": "Typed before the session ended",
                                      "how": "Line one\nLine two"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Sign in to keep your answers" in html
    assert 'name="what" value="Typed before the session ended"' in html
    response = client.post("/applications/sign-in-to-save", data={
        "_target": f"{empty_draft.id}:plan", "_signin_email": applicant.email, "_signin_password": "wrong",
        "what": "Typed before the session ended", "how": "Line one\nLine two"})
    assert "The email address or password is not right" in response.get_data(as_text=True)
    response = client.post("/applications/sign-in-to-save", data={
        "_target": f"{empty_draft.id}:plan", "_signin_email": applicant.email,
        "_signin_password": f.PASSWORD, "what": "Typed before the session ended", "how": "Line one\nLine two"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "You are signed in again" in html
    assert "Typed before the session ended" in html and "Line one\nLine two" in html
    assert f'action="/applications/{empty_draft.id}/pages/plan"' in html
    assert reload(empty_draft).answers == {}


def test_a_simultaneous_save_by_a_colleague_keeps_the_typed_text(client, empty_draft, signed_in, monkeypatch):
    from grantflow.applications import views_pages

    def clash(*args, **kwargs):
        raise StaleDataError("someone else saved first")

    monkeypatch.setattr(views_pages.operations, "save_page", clash)
    response = client.post(f"/applications/{empty_draft.id}/pages/plan", data={"_action": "save", "what": "Mine"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "A colleague saved this application" in html and "Mine" in html


@pytest.mark.parametrize("state", ["submitted", "screening", "in_review", "withdrawn"])
def test_answers_cannot_be_changed_outside_editable_states(client, signed_in, f, open_round, applicant, state):
    application = f.create_application(open_round, applicant.organisation, state=state)
    url = f"/applications/{application.id}/pages/plan"
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"] == f"/applications/{application.id}"
    response = client.post(url, data={"_action": "save", "what": "Late change"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "can no longer be changed" in html and "Late change" in html
    assert reload(application).answers["what"] != "Late change"
    assert client.post(f"{url}/autosave", data={"what": "Late change"}).status_code == 409


def test_a_deactivated_applicant_signing_in_to_save_is_told_why_and_keeps_the_answers(client, applicant, empty_draft,
                                                                                       f):
    applicant.is_active_account = False
    db.session.commit()
    response = client.post("/applications/sign-in-to-save", data={
        "_target": f"{empty_draft.id}:plan", "_signin_email": applicant.email,
        "_signin_password": f.PASSWORD, "what": "Typed before the account was stopped"})
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "deactivated" in html.lower() and "Typed before the account was stopped" in html
    assert reload(empty_draft).answers == {}
