"""Grantees file reports on the form engine: drafts, validation, submission."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from grantflow.core.models import AuditEvent
from grantflow.core.refusal import Refused
from grantflow.extensions import db
from grantflow.reporting import filing

from tests.factories_reporting import create_grant, report_of

INTERIM_PAGES = {
    "progress": {"narrative": "Hosted the Guadalajara delegation; signed an MOU on water reuse."},
    "metrics": {"metrics-jobs_created": "4", "metrics-events_held": "2", "metrics-residents_engaged": "350"},
    "spending": {"spending-0-category": "travel", "spending-0-amount": "12,500.50",
                 "spending-0-description": "Delegation travel"},
    "story": {"success_story": "A student exchange led to a new apprenticeship.", "story_consent": "yes"},
}


def post_page(client, report, page, data, action="continue"):
    return client.post(f"/reporting/reports/{report.id}/edit/{page}", data={**data, "_action": action})


@pytest.fixture
def grant_with_grantee(f, login_as):
    application = create_grant(targets={"jobs_created": 10, "events_held": 3})
    grantee = application.organisation.members[0]
    login_as(grantee)
    return application, grantee


def test_a_grantee_fills_in_and_submits_an_interim_report(client, grant_with_grantee):
    application, grantee = grant_with_grantee
    report = report_of(application)
    assert client.get(f"/reporting/reports/{report.id}").status_code == 200
    for page, data in INTERIM_PAGES.items():
        response = post_page(client, report, page, data)
        assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    report = report_of(application)
    assert report.metrics == {"jobs_created": 4, "events_held": 2, "residents_engaged": 350}
    assert report.spent_cents == 1_250_050 and report.is_story_publishable
    check = client.get(f"/reporting/reports/{report.id}/check")
    assert check.status_code == 200 and "Submit the report" in check.get_data(as_text=True)
    response = client.post(f"/reporting/reports/{report.id}/submit")
    assert response.status_code == 302
    db.session.expire_all()
    report = report_of(application)
    assert report.state == "submitted" and report.submitted_by_id == grantee.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reporting.report_submitted"))
    # submitted: no more editing
    assert post_page(client, report, "progress", {"narrative": "late edit"}).status_code == 302
    db.session.expire_all()
    assert "late edit" not in report_of(application).answers["narrative"]


def test_a_draft_keeps_what_was_typed_even_when_invalid(client, grant_with_grantee):
    application, _ = grant_with_grantee
    report = report_of(application)
    post_page(client, report, "metrics", {"metrics-jobs_created": "4"}, action="save")
    response = post_page(client, report, "metrics", {"metrics-jobs_created": "four", "metrics-events_held": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a whole number" in page and 'value="four"' in page
    db.session.expire_all()
    # the invalid figure keeps the previous answer; the valid one is saved
    assert report_of(application).metrics == {"jobs_created": 4, "events_held": 2}


def test_required_answers_are_shown_next_to_the_field_on_continue(client, grant_with_grantee):
    application, _ = grant_with_grantee
    response = post_page(client, report_of(application), "progress", {"narrative": ""})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.get_data(as_text=True)


def test_submission_needs_a_figure_for_every_target(f, grant_with_grantee):
    application, grantee = grant_with_grantee
    report = report_of(application)
    filing.store_answers(report, {"narrative": "n", "metrics": {"jobs_created": 1}})
    problems = filing.problems(report)
    assert "Events held: give a figure (your application set a target)" in problems
    with pytest.raises(Refused, match="Events held"):
        filing.submit_report(report, grantee)
    assert report.state == "open"


def test_submitting_the_final_report_moves_the_grant_on(f, grant_with_grantee):
    application, grantee = grant_with_grantee
    final = report_of(application, "final")
    filing.definition_for(final)
    filing.store_answers(final, {
        "narrative": "n", "lessons": "l", "success_story": "s", "story_consent": False,
        "metrics": {"jobs_created": 11, "events_held": 3}, "total_spent": 9_000_000, "unspent": 1_000_000,
        "spending": [{"category": "travel", "amount": 9_000_000}]})
    filing.submit_report(final, grantee)
    assert application.state == "final_report_submitted"
    assert (final.spent_cents, final.unspent_cents, final.is_story_publishable) == (9_000_000, 1_000_000, False)


def test_final_spending_lines_must_add_up_to_the_total(f, grant_with_grantee):
    application, grantee = grant_with_grantee
    final = report_of(application, "final")
    filing.store_answers(final, {
        "narrative": "n", "lessons": "l", "success_story": "s", "story_consent": True,
        "metrics": {"jobs_created": 11, "events_held": 3}, "total_spent": 9_000_000, "unspent": 1_000_000,
        "spending": [{"category": "travel", "amount": 8_000_000}]})
    assert any("add up to $80,000.00" in p for p in filing.problems(final))


def test_another_organisation_cannot_see_the_report(f, client, login_as):
    application = create_grant()
    login_as(f.create_applicant())
    report = report_of(application)
    assert client.get(f"/reporting/reports/{report.id}").status_code == 404
    assert client.get(f"/reporting/grants/{application.id}").status_code == 404
    assert post_page(client, report, "progress", {"narrative": "x"}).status_code == 404


def test_staff_cannot_fill_in_a_grantee_report(f, client, login_as):
    application = create_grant()
    login_as(f.create_user("admin"))
    assert post_page(client, report_of(application), "progress", {"narrative": "x"}).status_code == 403


def test_a_closed_grant_cannot_be_edited(f, client, login_as):
    application = create_grant(state="closed")
    login_as(application.organisation.members[0])
    report = report_of(application)
    response = post_page(client, report, "progress", {"narrative": "x"})
    assert response.status_code == 302
    assert not filing.may_edit(report, application.organisation.members[0])


def test_a_supporting_document_is_stored_and_listed(client, grant_with_grantee):
    import io

    application, _ = grant_with_grantee
    report = report_of(application)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client.post(f"/reporting/reports/{report.id}/edit/story",
                           data={"_action": "save", "supporting_document": (io.BytesIO(pdf), "agenda.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    attachment_id = report_of(application).answers["supporting_document"]
    page = client.get(f"/reporting/reports/{report.id}").get_data(as_text=True)
    assert "agenda.pdf" in page and f"/attachments/{attachment_id}" in page
    refused = client.post(f"/reporting/reports/{report.id}/edit/story",
                          data={"_action": "save", "supporting_document": (io.BytesIO(b"MZ\x90\x00"), "tool.exe")},
                          content_type="multipart/form-data")
    assert refused.status_code == 200 and "is not a file we accept" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert report_of(application).answers["supporting_document"] == attachment_id


def test_spending_lines_can_be_added_and_removed_without_javascript(client, grant_with_grantee):
    application, _ = grant_with_grantee
    report = report_of(application)
    line = {"spending-0-category": "travel", "spending-0-amount": "100"}
    added = post_page(client, report, "spending", line, action="add:spending")
    assert added.status_code == 200 and 'name="spending-1-amount"' in added.get_data(as_text=True)
    two = {**line, "spending-1-category": "supplies", "spending-1-amount": "25"}
    assert post_page(client, report, "spending", two, action="save").status_code == 302
    db.session.expire_all()
    assert len(report_of(application).answers["spending"]) == 2
    removed = post_page(client, report, "spending", two, action="remove:spending:spending-0")
    assert removed.status_code == 200
    db.session.expire_all()
    assert report_of(application).answers["spending"] == [{"category": "supplies", "amount": 2500}]


def test_a_report_cannot_be_submitted_before_the_period_it_covers_starts(f, grant_with_grantee):
    application, grantee = grant_with_grantee
    final = report_of(application, "final")
    filing.store_answers(final, {
        "narrative": "n", "lessons": "l", "success_story": "s", "story_consent": False,
        "metrics": {"jobs_created": 11, "events_held": 3}, "total_spent": 9_000_000, "unspent": 1_000_000,
        "spending": [{"category": "travel", "amount": 9_000_000}]})
    with pytest.raises(Refused, match="it can be submitted from that day"):
        filing.submit_report(final, grantee, today=final.period_start - timedelta(days=1))
    assert final.state == "open" and application.state == "active"
    filing.submit_report(final, grantee, today=final.period_start)
    assert final.state == "submitted"
