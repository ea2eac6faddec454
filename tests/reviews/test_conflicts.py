"""The conflict-of-interest flow: declare before seeing anything; a conflict
recuses the reviewer, tells the administrators, is audited and shown to
staff, and the application gets another reviewer automatically."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.core.models import AuditEvent, OutboxEmail
from grantflow.extensions import db
from grantflow.reviews.models import ReviewAssignment
from tests import factories_reviews as fr

SECRET_ANSWER = "Host and send delegations on building retrofits."  # from the factory's complete answers


def _setup(f, reviewers=2):
    round_ = f.create_round(reviews_per_application=1)
    application = fr.create_in_review(round_)
    first = fr.create_reviewer(name="First Reviewer")
    spares = [fr.create_reviewer(name=f"Spare Reviewer {n}") for n in range(reviewers - 1)]
    assignment = fr.create_assignment(application, first, coi="undeclared")
    admin = f.create_user("admin", name="Fund Admin")
    return application, assignment, first, spares, admin


def test_the_application_is_hidden_until_the_declaration(f, client, login_as):
    application, assignment, reviewer, _, _ = _setup(f)
    login_as(reviewer)
    page = client.get(f"/reviews/assignments/{assignment.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "any conflict of interest?" in html
    assert SECRET_ANSWER not in html
    assert 'name="score_clarity"' not in html
    # the review cannot be posted, nor the files downloaded, before declaring
    assert client.post(f"/reviews/assignments/{assignment.id}", data={"action": "save"}).status_code == 409
    from grantflow.core.workflow import registry

    assert not registry.ROLE_RESOLVERS["reviewer"](application, reviewer)


def test_no_conflict_opens_the_application(f, client, login_as):
    application, assignment, reviewer, _, _ = _setup(f)
    login_as(reviewer)
    response = client.post(f"/reviews/assignments/{assignment.id}/conflict", data={"has_conflict": "no"})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert SECRET_ANSWER in html
    assert 'name="score_clarity"' in html
    db.session.expire_all()
    assert assignment.coi_status == "none" and assignment.coi_declared_at is not None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.subject_type == "ReviewAssignment")) \
        == "review.no_conflict_declared"


def test_a_conflict_needs_a_reason(f, client, login_as):
    _, assignment, reviewer, _, _ = _setup(f)
    login_as(reviewer)
    response = client.post(f"/reviews/assignments/{assignment.id}/conflict", data={"has_conflict": "yes"})
    assert response.status_code == 422
    assert "Say briefly what the conflict is" in response.get_data(as_text=True)
    db.session.expire_all()
    assert assignment.status == "active" and assignment.coi_status == "undeclared"


def test_a_conflict_recuses_notifies_is_audited_and_is_replaced(f, client, login_as):
    application, assignment, reviewer, (spare,), admin = _setup(f)
    login_as(reviewer)
    response = client.post(f"/reviews/assignments/{assignment.id}/conflict",
                           data={"has_conflict": "yes", "reason": "I advise the mayor of this city."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/reviews/")
    db.session.expire_all()
    assert (assignment.status, assignment.coi_status) == ("recused", "conflict")
    assert assignment.conflict_reason == "I advise the mayor of this city."
    # replaced automatically by the spare reviewer
    active = db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.status == "active")).all()
    assert [(a.application_id, a.reviewer_id) for a in active] == [(application.id, spare.id)]
    # audited (the recusal by the reviewer, the replacement by the system)
    events = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id).where(
        AuditEvent.application_id == application.id).order_by(AuditEvent.id)).all()
    assert ("review.recused", reviewer.id) in events and ("review.assigned", None) in events
    # the administrators are told, with the reason and the replacement
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == admin.email))
    assert "Conflict of interest declared" in email.subject
    assert "I advise the mayor" in email.body_text and "Spare Reviewer 0" in email.body_text
    # the reviewer can no longer open it; the queue no longer lists it
    assert client.get(f"/reviews/assignments/{assignment.id}").status_code == 403
    assert application.reference not in client.get("/reviews/").get_data(as_text=True)
    # staff see the recusal
    login_as(admin)
    page = client.get(f"/reviews/admin/rounds/{application.round_id}/assignments").get_data(as_text=True)
    assert "Recused (conflict of interest)" in page and "I advise the mayor of this city." in page
    history = client.get(f"/reviews/admin/applications/{application.id}/reviews").get_data(as_text=True)
    assert "Recused" in history and "First Reviewer" in history


def test_a_recusal_without_a_spare_reviewer_tells_the_admin_why(f, client, login_as):
    application, assignment, reviewer, _, admin = _setup(f, reviewers=1)
    login_as(reviewer)
    client.post(f"/reviews/assignments/{assignment.id}/conflict", data={"has_conflict": "yes", "reason": "Family."})
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == admin.email))
    assert "No replacement could be assigned automatically" in email.body_text
    assert ("Earlier assignments (a reviewer who reviewed, recused from or declined an application is not assigned "
            "it again) leave 1 application from Iowa") in email.body_text and "with no eligible reviewer" in email.body_text


def test_a_conflict_found_later_recuses_too(f, client, login_as):
    application, assignment, reviewer, (spare,), _ = _setup(f)
    login_as(reviewer)
    client.post(f"/reviews/assignments/{assignment.id}/conflict", data={"has_conflict": "no"})
    response = client.post(f"/reviews/assignments/{assignment.id}/conflict",
                           data={"has_conflict": "yes", "reason": "A partner is my employer."})
    assert response.status_code == 302
    db.session.expire_all()
    assert assignment.status == "recused"


def test_declining_replaces_the_reviewer(f, client, login_as):
    application, assignment, reviewer, (spare,), admin = _setup(f)
    login_as(reviewer)
    assert client.get(f"/reviews/assignments/{assignment.id}/decline").status_code == 200
    response = client.post(f"/reviews/assignments/{assignment.id}/decline", data={"reason": "Travelling."})
    assert response.status_code == 302
    db.session.expire_all()
    assert assignment.status == "declined" and assignment.ended_reason == "Travelling."
    active = db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.status == "active")).all()
    assert [a.reviewer_id for a in active] == [spare.id]
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == admin.email,
                                                       OutboxEmail.template == "review_declined"))


def test_another_reviewers_assignment_is_not_found(f, client, login_as):
    _, assignment, _, _, _ = _setup(f)
    login_as(fr.create_reviewer())
    assert client.get(f"/reviews/assignments/{assignment.id}").status_code == 404
    assert client.post(f"/reviews/assignments/{assignment.id}/conflict", data={"has_conflict": "no"}).status_code == 404


def test_declared_profile_conflicts_are_respected_when_adding_by_hand(f, client, login_as):
    application, _, _, _, admin = _setup(f)
    conflicted = fr.create_reviewer(name="Iowa Adviser", states=["IA"])
    login_as(admin)
    response = client.post(f"/reviews/admin/applications/{application.id}/reviewers",
                           data={"reviewer_id": conflicted.id})
    assert response.status_code == 422
    assert "Iowa Adviser has a conflict of interest with this applicant" in response.get_data(as_text=True)
