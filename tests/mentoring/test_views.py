"""The mentor network through its pages: forms, errors next to their fields,
the directory's consent rule, and the administrators' buttons."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.core.models import OutboxEmail
from grantflow.extensions import db
from grantflow.mentoring.models import MentorMatch, MentorProfile, MentorRequest

from tests import factories
from tests import factories_mentoring as fm

PROFILE = {"themes": ["climate", "exchange"], "applicant_type": "C", "us_state": "AZ", "languages": ["en", "es"],
           "max_mentees": "2", "note": "We hosted three delegations.", "is_visible": "y"}


def test_a_grantee_offers_to_mentor_and_errors_show_next_to_their_fields(client, login_as):
    grantee = fm.create_grantee(grant_state="closed")
    login_as(grantee)
    page = client.get("/mentoring/mentor")
    assert page.status_code == 200 and b"Themes you can advise on" in page.data
    bad = client.post("/mentoring/mentor", data={**PROFILE, "themes": [], "max_mentees": "99"})
    assert bad.status_code == 422
    assert b'id="max_mentees-error"' in bad.data and b"Enter a number from 1 to 10" in bad.data
    assert db.session.get(MentorProfile, grantee.id) is None
    assert client.post("/mentoring/mentor", data={**PROFILE, "themes": []}).status_code == 422
    assert client.post("/mentoring/mentor", data=PROFILE).status_code == 302
    profile = db.session.get(MentorProfile, grantee.id)
    assert profile.themes == ["climate", "exchange"] and profile.is_visible and profile.languages == ["en", "es"]
    assert client.post("/mentoring/mentor/stop").status_code == 302
    db.session.refresh(profile)
    assert not profile.opted_in


def test_the_directory_lists_only_consenting_mentors_and_never_their_email(client, login_as):
    listed, unlisted = fm.create_grantee(), fm.create_grantee()
    fm.opt_in(listed, is_visible=True)
    fm.opt_in(unlisted, is_visible=False)
    gone = fm.create_grantee()
    fm.opt_in(gone)
    from grantflow.mentoring.operations import opt_out

    opt_out(gone)
    login_as(fm.create_drafter())
    page = client.get("/mentoring/mentors").get_data(as_text=True)
    assert listed.name in page and unlisted.name not in page and gone.name not in page
    assert listed.email not in page
    reviewer = factories.create_user("reviewer")
    login_as(reviewer)
    assert client.get("/mentoring/mentors").status_code == 403


def test_from_request_to_introduction_through_the_pages(client, login_as):
    admin = factories.create_user("admin")
    mentor = fm.create_grantee()
    fm.opt_in(mentor)
    mentee = fm.create_drafter()
    login_as(mentee)
    assert client.post("/mentoring/ask", data={"needs": "", "languages": ["en"]}).status_code == 422
    assert client.post("/mentoring/ask", data={"needs": "Budgeting a delegation.", "themes": ["climate"],
                                               "languages": ["en"]}).status_code == 302
    request = db.session.scalars(select(MentorRequest)).one()
    login_as(admin)
    assert b"Budgeting a delegation." in client.get("/admin/mentoring/").data
    assert client.post("/admin/mentoring/propose").status_code == 302
    match = db.session.scalars(select(MentorMatch).where(MentorMatch.request_id == request.id)).one()
    assert client.post(f"/admin/mentoring/matches/{match.id}/approve").status_code == 302
    for person in (mentee, mentor):
        login_as(person)
        page = client.get(f"/mentoring/matches/{match.id}").get_data(as_text=True)
        assert "Accept the match" in page and (mentor.email not in page and mentee.email not in page)
        assert client.post(f"/mentoring/matches/{match.id}/answer", data={"answer": "accept"}).status_code == 302
    db.session.refresh(match)
    assert match.status == "introduced"
    page = client.get(f"/mentoring/matches/{match.id}").get_data(as_text=True)
    assert mentee.email in page  # the mentor (signed in last) sees the mentee's contact details
    bad = client.post(f"/mentoring/matches/{match.id}", data={"held_on": "2026-02-30", "topic": "", "outcome": ""})
    assert bad.status_code == 422 and b'id="topic-error"' in bad.data
    assert client.post(f"/mentoring/matches/{match.id}/answer", data={"answer": "nonsense"}).status_code == 400
    emails = db.session.scalars(select(OutboxEmail.recipient).where(OutboxEmail.template == "mentoring_introduced"))
    assert sorted(emails) == sorted([mentor.email, mentee.email])


def test_the_portfolio_dashboard_counts_the_network_without_names(client, login_as):
    mentor, mentee = fm.create_grantee(), fm.create_drafter(state="TX")
    match = fm.create_match(mentor, mentee, status="introduced")
    from grantflow.core.db import utcnow
    from grantflow.mentoring.operations import log_conversation

    log_conversation(match, mentor, held_on=utcnow().date(), topic="Budget", outcome="A shorter budget.")
    login_as(factories.create_user("admin"))
    page = client.get("/admin/portfolio/?fresh=1").get_data(as_text=True)
    section = page[page.index('id="mentoring-figures-title"'):]
    assert "Mentees introduced" in section and "Texas" in section and "Conversations logged" in section
    assert mentor.name not in page and mentee.name not in page


def test_mentor_profiles_are_never_in_exports_or_open_data(runner, tmp_path, client):
    from tests.factories_reporting import create_grant

    grant = create_grant(state="closed")  # a real accepted award, so the exports have a grant
    mentor = grant.organisation.members[0]
    fm.opt_in(mentor, note="Call me about the Hermosillo exchange", is_visible=True)
    db.session.commit()
    for fmt in ("csv", "360giving"):
        out = tmp_path / f"portfolio.{fmt}"
        result = runner.invoke(args=["export", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        text = out.read_text()
        assert "Hermosillo" not in text and "mentor" not in text.lower()
    grant.round.fund.settings = {"open_data": True}
    db.session.commit()
    catalog = client.get("/catalog/")
    assert catalog.status_code == 200 and grant.organisation.name.encode() in catalog.data  # the grant is public
    assert b"Hermosillo" not in catalog.data and mentor.name.encode() not in catalog.data
    assert client.get("/mentoring/mentors").status_code == 302  # the directory needs signing in


def test_the_administrators_buttons_answer_bad_input_with_a_clear_400(client, login_as):
    mentor, mentee = fm.create_grantee(), fm.create_drafter()
    match = fm.create_match(mentor, mentee)
    login_as(factories.create_user("admin"))
    assert client.post(f"/admin/mentoring/requests/{match.request_id}/assign", data={}).status_code == 400
    assert client.post(f"/admin/mentoring/requests/{match.request_id}/assign",
                       data={f"r{match.request_id}-mentor_id": "999999"}).status_code == 400
    assert client.post(f"/admin/mentoring/matches/{match.id}/reject", data={"reason": "x" * 501}).status_code == 400
    db.session.refresh(match)
    assert match.status == "approved"
