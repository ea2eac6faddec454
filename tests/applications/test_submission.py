"""Review, submission through the workflow, the confirmation and its email,
late and incomplete submissions, requests for more information, withdrawal,
and what "My applications" shows."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from grantflow.core import workflow
from grantflow.core.audit import record_event
from grantflow.core.db import utcnow
from sqlalchemy import select

from grantflow.core.models import AuditEvent
from grantflow.extensions import db

from .conftest import emails_to, reload


def test_the_review_page_shows_every_answer_and_what_is_missing(client, signed_in, f, open_round, applicant):
    application = f.create_application(open_round, applicant.organisation, answers={"title": "Half done",
                                                                                  "what": "Line 1\nLine 2"})
    html = client.get(f"/applications/{application.id}/review").get_data(as_text=True)
    assert "answers to complete before you can submit" in html
    assert f'href="/applications/{application.id}/pages/plan#how"' in html
    assert "Line 1<br>Line 2" in html and "Not answered" in html
    assert "You cannot submit yet" in html and 'action="/applications/' not in html.split("cannot submit yet")[1]


def test_a_complete_draft_is_submitted_confirmed_and_emailed(client, draft, signed_in):
    html = client.get(f"/applications/{draft.id}/review").get_data(as_text=True)
    assert "answers to complete" not in html and "Submit the application" in html
    response = client.post(f"/applications/{draft.id}/submit", data={"version": draft.version})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{draft.id}/submitted")
    application = reload(draft)
    assert application.state == "submitted" and application.submitted_at is not None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your application is submitted" in page and application.reference in page
    subjects = [e.subject for e in emails_to(signed_in.email)]
    assert subjects == [f"Application received: {application.reference}"]  # one email for the event
    event = db.session.query(AuditEvent).filter_by(action="workflow.submit").one()
    assert event.actor_id == signed_in.id


def test_an_incomplete_application_is_refused_with_the_reasons(client, f, open_round, applicant, signed_in):
    application = f.create_application(open_round, applicant.organisation, answers={"title": "Half done"})
    db.session.commit()
    response = client.post(f"/applications/{application.id}/submit")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Some required answers are missing" in html and "Summary" in html
    assert reload(application).state == "draft"


def test_a_late_submission_is_refused_and_the_draft_is_kept(client, f, applicant, signed_in):
    round_ = f.create_round(opens_at=utcnow() - timedelta(days=60), closes_at=utcnow() - timedelta(minutes=1))
    application = f.create_application(round_, applicant.organisation)
    answers = dict(application.answers)
    db.session.commit()
    response = client.post(f"/applications/{application.id}/submit")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "late submissions are not accepted" in html and "Your draft is kept" in html
    application = reload(application)
    assert application.state == "draft" and application.answers == answers


def test_more_information_requested_lets_the_applicant_edit_and_send_it_back(client, f, open_round, applicant,
                                                                             signed_in):
    admin = f.create_user("admin")
    application = f.create_application(open_round, applicant.organisation, state="screening")
    workflow.fire(application, "request_information", admin, comment="Please add a letter from your partner.")
    db.session.commit()
    detail = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Please add a letter from your partner." in detail and "Change your answers" in detail
    response = client.post(f"/applications/{application.id}/pages/plan",
                           data={"_action": "save", "what": "Updated plan", "how": application.answers["how"],
                                 "why": application.answers["why"]})
    assert response.status_code == 302
    changed = db.session.query(AuditEvent).filter_by(action="application.answers_changed").one()
    assert changed.data["fields"] == ["what"]
    review = client.get(f"/applications/{application.id}/review").get_data(as_text=True)
    assert "Send the updated application" in review
    response = client.post(f"/applications/{application.id}/submit")
    assert response.status_code == 302
    assert reload(application).state == "screening"
    assert "Updated application received" in emails_to(signed_in.email)[-1].subject


def test_withdrawing_asks_for_confirmation_then_withdraws(client, draft, signed_in):
    page = client.get(f"/applications/{draft.id}/withdraw").get_data(as_text=True)
    assert "Withdrawing is final" in page and "Yes, withdraw the application" in page
    assert reload(draft).state == "draft"
    response = client.post(f"/applications/{draft.id}/withdraw", data={"reason": "We missed the council vote.",
                                                                      "version": draft.version})
    assert response.status_code == 302
    assert reload(draft).state == "withdrawn"
    event = db.session.query(AuditEvent).filter_by(action="workflow.withdraw").one()
    assert event.comment == "We missed the council vote."


def test_a_decided_application_cannot_be_withdrawn(client, f, open_round, applicant, signed_in):
    application = f.create_application(open_round, applicant.organisation, state="declined")
    db.session.commit()
    response = client.post(f"/applications/{application.id}/withdraw", data={"reason": "Too late"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "It cannot be withdrawn" in html and "Too late" in html
    assert reload(application).state == "declined"


def test_my_applications_shows_status_messages_and_the_timeline(client, f, open_round, applicant, signed_in):
    admin = f.create_user("admin")
    application = f.create_application(open_round, applicant.organisation, title="Sister-city exchange")
    workflow.fire(application, "submit", applicant)
    workflow.fire(application, "start_screening", admin)
    workflow.fire(application, "request_information", admin, comment="Which city in Mexico?")
    db.session.commit()
    html = client.get("/applications/").get_data(as_text=True)
    assert "Sister-city exchange" in html
    assert "We need more information from you" in html  # the applicant-facing label
    assert "Which city in Mexico?" in html and "Message from the fund" in html
    assert "Status history" in html and "Being checked for eligibility" in html
    assert f'href="/applications/start/{open_round.id}"' in html
    assert re.search(r"closes [^<]*\d+ (days|hours|minutes?) left", html)   # the deadline counts down


@pytest.mark.parametrize("url", ["/applications/", "/applications/{id}"])
def test_system_notes_and_messages_of_an_earlier_state_are_not_shown_as_messages(
        client, f, open_round, applicant, signed_in, url):
    admin = f.create_user("admin")
    application = f.create_application(open_round, applicant.organisation, title="Sister-city exchange")
    workflow.fire(application, "submit", applicant)
    workflow.fire(application, "start_screening", admin)
    workflow.fire(application, "request_information", admin, comment="Which city in Mexico?")
    workflow.fire(application, "provide_information", applicant)
    workflow.fire(application, "send_to_review", admin)
    application.state = "reviews_complete"  # as the system's move does, with its note
    record_event(actor=None, action="workflow.complete_reviews", application=application, from_state="in_review",
                 to_state="reviews_complete", comment="All assigned reviews are submitted.",
                 visible_to_applicant=True)
    db.session.commit()
    html = client.get(url.format(id=application.id)).get_data(as_text=True)
    assert "Message from the fund" not in html
    assert "Which city in Mexico?" not in html.split("Status history")[0].split('class="timeline')[0]
    assert "All assigned reviews are submitted." not in html.split('class="timeline')[0]


def test_the_status_page_shows_the_answers_read_only(client, draft, signed_in):
    html = client.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert "Sister-city climate exchange" in html and "Your answers" in html
    assert "Climate action and the clean-energy transition" in html
    assert "$75,000.00" in html


def test_an_expired_session_on_withdraw_or_submit_changes_nothing_and_says_so(app, client, draft, signed_in,
                                                                             monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(f"/applications/{draft.id}/withdraw", data={"reason": "Council said no"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Not saved yet." in html and "Council said no</textarea>" in html
    response = client.post(f"/applications/{draft.id}/submit")
    assert response.status_code == 400 and "nothing was sent" in response.get_data(as_text=True)
    assert reload(draft).state == "draft"


def test_the_status_page_links_to_the_award_once_offered(client, f, open_round, applicant, signed_in, app):
    application = f.create_application(open_round, applicant.organisation, state="award_offered")
    db.session.commit()
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    if "awards.offer" in app.view_functions:
        assert "Review and accept the award offer" in html
    assert "Withdraw the application" not in html


def test_the_applicant_replies_to_a_message_from_the_fund(client, f, open_round, applicant, signed_in):
    admin = f.create_user("admin")
    application = f.create_application(open_round, applicant.organisation, title="Sister-city exchange")
    workflow.fire(application, "submit", applicant)
    workflow.fire(application, "start_screening", admin)
    workflow.fire(application, "request_information", admin, comment="Which city in Mexico?")
    db.session.commit()
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Reply to the fund" in page
    refused = client.post(f"/applications/{application.id}/reply", data={"text": " "})
    assert refused.status_code == 422 and "Write your reply first." in refused.get_data(as_text=True)
    sent = client.post(f"/applications/{application.id}/reply", data={"text": "Guadalajara, since 2019."})
    assert sent.status_code == 302
    reply = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.reply"))
    assert (reply.actor_id, reply.comment, reply.is_visible_to_applicant) == (applicant.id, "Guadalajara, since 2019.",
                                                                            True)
    assert [e.subject for e in emails_to(admin.email)] == [f"{application.reference}: {applicant.name} replied to "
                                                            "the fund"]
    assert "Guadalajara, since 2019." in client.get(f"/applications/{application.id}").get_data(as_text=True)
