"""Reviewer profiles (the reviewer's own page and the administrators'), the
home page of a reviewer, and administrators adding and removing reviewers by hand."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.core.models import AuditEvent
from grantflow.extensions import db
from grantflow.reviews.models import ReviewAssignment, ReviewerProfile
from tests import factories_reviews as fr


def test_a_reviewers_home_is_the_queue(f, client, login_as):
    login_as(fr.create_reviewer())
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reviews/")


def test_reviewers_edit_their_expertise_and_conflicts_but_not_their_cap(f, client, login_as):
    reviewer = fr.create_reviewer(expertise=["climate"], cap=7)
    organisation = f.create_organisation(name="County of Conflictia")
    login_as(reviewer)
    page = client.get("/reviews/profile").get_data(as_text=True)
    assert "Climate action and the clean-energy transition" in page and "County of Conflictia" in page
    assert "Most applications per round" not in page
    response = client.post("/reviews/profile", data={
        "expertise_themes": ["trade_investment", "migration"], "conflicted_states": ["TX"],
        "conflicted_organisation_ids": [str(organisation.id)], "conflict_notes": "I sit on a Texas board.",
        "max_applications_per_round": "99"})
    assert response.status_code == 302
    db.session.expire_all()
    profile = db.session.get(ReviewerProfile, reviewer.id)
    assert profile.expertise_themes == ["migration", "trade_investment"]
    assert (profile.conflicted_states, profile.conflicted_organisation_ids) == (["TX"], [organisation.id])
    assert profile.max_applications_per_round == 7  # unchanged: only administrators set it
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reviewer.profile_updated"))
    assert event.data["before"]["expertise_themes"] == ["climate"]


def test_unknown_choices_are_refused_next_to_the_field(f, client, login_as):
    login_as(fr.create_reviewer())
    response = client.post("/reviews/profile", data={"expertise_themes": ["astrology"], "conflicted_states": ["ZZ"]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="expertise_themes-error"' in html and 'id="conflicted_states-error"' in html


def test_administrators_set_the_cap(f, client, login_as):
    reviewer = fr.create_reviewer(cap=20)
    login_as(f.create_user("admin"))
    assert reviewer.name in client.get("/reviews/admin/reviewers").get_data(as_text=True)
    response = client.post(f"/reviews/admin/reviewers/{reviewer.id}", data={
        "expertise_themes": ["climate"], "max_applications_per_round": "5"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReviewerProfile, reviewer.id).max_applications_per_round == 5
    response = client.post(f"/reviews/admin/reviewers/{reviewer.id}", data={"max_applications_per_round": "-1"})
    assert response.status_code == 422 and "Enter 0 to 500." in response.get_data(as_text=True)
    # someone without the reviewer role has no reviewer profile
    assert client.get(f"/reviews/admin/reviewers/{f.create_user('applicant').id}").status_code == 404


def test_adding_and_removing_by_hand(f, client, login_as):
    round_ = f.create_round(reviews_per_application=2)
    application = fr.create_in_review(round_)
    reviewer = fr.create_reviewer(name="Hand Picked", cap=1)
    admin = f.create_user("admin")
    login_as(admin)
    response = client.post(f"/reviews/admin/applications/{application.id}/reviewers",
                           data={"reviewer_id": reviewer.id})
    assert response.status_code == 302
    db.session.expire_all()
    assignment = db.session.scalar(select(ReviewAssignment))
    assert (assignment.reviewer_id, assignment.source, assignment.assigned_by_id) == (reviewer.id, "manual", admin.id)
    # twice is refused; so is a second application beyond the cap
    again = client.post(f"/reviews/admin/applications/{application.id}/reviewers", data={"reviewer_id": reviewer.id})
    assert again.status_code == 422 and "already on this application" in again.get_data(as_text=True)
    other = fr.create_in_review(round_)
    full = client.post(f"/reviews/admin/applications/{other.id}/reviewers", data={"reviewer_id": reviewer.id})
    assert full.status_code == 422 and "their cap" in full.get_data(as_text=True)
    # removing ends the assignment and is audited
    response = client.post(f"/reviews/admin/assignments/{assignment.id}/remove", data={"reason": "Unavailable."})
    assert response.status_code == 302
    db.session.expire_all()
    assert (assignment.status, assignment.ended_by_id, assignment.ended_reason) == ("removed", admin.id, "Unavailable.")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "review.removed"))
    # the automatic assignment does not bring a removed reviewer back; the administrator can
    from grantflow.reviews.assigning import assign_reviewers

    assert reviewer.id not in {r for _, r, _ in assign_reviewers(round_, admin, dry_run=True).pairs}
    response = client.post(f"/reviews/admin/applications/{application.id}/reviewers", data={"reviewer_id": reviewer.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert assignment.status == "active" and assignment.ended_at is None


def test_submitted_reviews_cannot_be_removed(f, client, login_as):
    application = fr.create_in_review(f.create_round())
    assignment = fr.create_assignment(application, fr.create_reviewer())
    fr.create_review(assignment)
    login_as(f.create_user("admin"))
    response = client.post(f"/reviews/admin/assignments/{assignment.id}/remove")
    assert response.status_code == 409
    assert "submitted reviews are kept" in response.get_data(as_text=True)
    db.session.expire_all()
    assert assignment.status == "active"


def test_removing_the_last_missing_reviewer_closes_the_reviews(f, client, login_as):
    application = fr.create_in_review(f.create_round(reviews_per_application=2))
    for _ in range(2):
        fr.create_review(fr.create_assignment(application, fr.create_reviewer()))
    late = fr.create_assignment(application, fr.create_reviewer())  # a third, added by hand, never started
    login_as(f.create_user("admin"))
    assert client.post(f"/reviews/admin/assignments/{late.id}/remove").status_code == 302
    db.session.expire_all()
    assert application.state == "reviews_complete"
    move = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "workflow.complete_reviews"))
    assert move.actor_id is None


def test_a_rounds_review_settings(f, client, login_as):
    round_ = f.create_round(rubric_key="local_to_global", reviews_per_application=3)
    login_as(f.create_user("admin"))
    page = client.get(f"/reviews/admin/rounds/{round_.id}/settings")
    assert page.status_code == 200 and "Local-to-Global Engagement Fund panel review" in page.get_data(as_text=True)
    response = client.post(f"/reviews/admin/rounds/{round_.id}/settings", data={
        "rubric_key": "local_to_global", "reviews_per_application": "2", "review_due_at": "2026-12-15T17:00",
        "is_blind_review": "y", "disagreement_threshold": "25"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (round_.reviews_per_application, round_.is_blind_review) == (2, True)
    assert round_.review_due_at.isoformat() == "2026-12-15T17:00:00+00:00"
    assert round_.settings["review_disagreement_threshold"] == 25.0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "review.settings_updated"))
    bad = client.post(f"/reviews/admin/rounds/{round_.id}/settings", data={
        "rubric_key": "nonexistent", "reviews_per_application": "0", "disagreement_threshold": "25"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="rubric_key-error"' in html and "Enter 1 to 10." in html


def test_adding_without_choosing_says_so(f, client, login_as):
    application = fr.create_in_review(f.create_round())
    login_as(f.create_user("admin"))
    response = client.post(f"/reviews/admin/applications/{application.id}/reviewers", data={"reviewer_id": ""})
    assert response.status_code == 422 and "Choose a reviewer." in response.get_data(as_text=True)
