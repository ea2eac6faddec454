"""The administrators' pages: the list of users, deactivation, and the mail outbox."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from grantflow.core.mail import send_email
from grantflow.core.models import AuditEvent, OutboxEmail
from grantflow.extensions import db
from grantflow.users.tokens import make_reset_token

from tests.factories import PASSWORD


@pytest.fixture
def admin(f, login_as):
    user = f.create_user("admin", name="Ada Admin")
    login_as(user)
    return user


def test_user_list_shows_roles_and_status(client, admin, f):
    f.create_user("reviewer", "admin", name="Both Roles")
    gone = f.create_user("applicant", name="Gone Applicant")
    gone.is_active_account = False
    pending = f.create_user("reviewer", name="Pending Reviewer")
    pending.password_hash = None
    db.session.commit()
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Reviewer, Fund administrator" in page
    assert "Deactivated" in page and "Invitation pending" in page
    assert "Reactivate<span" in page and "Deactivate<span" in page


def test_user_list_filters_by_role_and_paginates(client, admin, f, monkeypatch):
    monkeypatch.setattr("grantflow.admin.views.USERS_PER_PAGE", 2)
    for n in range(3):
        f.create_user("reviewer", name=f"Reviewer {n}")
    f.create_user("applicant", name="Only Applicant")
    db.session.commit()
    first = client.get("/admin/users?role=reviewer").get_data(as_text=True)
    assert "Reviewer 0" in first and "Reviewer 2" not in first and "Only Applicant" not in first
    assert "Page 1 of 2" in first and "page=2" in first and "role=reviewer" in first
    second = client.get("/admin/users?role=reviewer&page=2").get_data(as_text=True)
    assert "Reviewer 2" in second
    assert client.get("/admin/users?role=reviewer&page=3").status_code == 404
    assert client.get("/admin/users?role=wizard").status_code == 404
    assert client.get("/admin/users?page=-1").status_code == 404


def test_admin_deactivates_and_reactivates_an_account(client, admin, f):
    reviewer = f.create_user("reviewer")
    db.session.commit()
    response = client.post(f"/admin/users/{reviewer.id}/deactivate")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    db.session.expire_all()
    assert not reviewer.is_active_account
    assert "is deactivated" in client.get("/admin/users").get_data(as_text=True)

    client.post(f"/admin/users/{reviewer.id}/reactivate")
    db.session.expire_all()
    assert reviewer.is_active_account
    events = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id).where(
        AuditEvent.subject_type == "User", AuditEvent.subject_id == reviewer.id)
        .order_by(AuditEvent.id)).all()
    assert events == [("user.deactivated", admin.id), ("user.reactivated", admin.id)]


def test_deactivation_signs_the_user_out_at_once(app, f):
    reviewer = f.create_user("reviewer")
    admin = f.create_user("admin")
    db.session.commit()
    reviewer_client, admin_client = app.test_client(), app.test_client()
    for client, user in ((reviewer_client, reviewer), (admin_client, admin)):
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    assert "Sign out" in reviewer_client.get("/", follow_redirects=True).get_data(as_text=True)

    assert admin_client.post(f"/admin/users/{reviewer.id}/deactivate").status_code == 302
    page = reviewer_client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Sign out" not in page and "Create an account to apply" in page


def test_admin_cannot_deactivate_themselves(client, admin):
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    db.session.expire_all()
    assert admin.is_active_account
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.deactivated")) is None


def test_deactivating_an_unknown_user_is_404(client, admin):
    assert client.post("/admin/users/999999/deactivate").status_code == 404


@pytest.mark.parametrize("role", ["applicant", "reviewer"])
def test_others_cannot_deactivate(client, f, login_as, role):
    victim = f.create_user("reviewer")
    login_as(f.create_user(role))
    assert client.post(f"/admin/users/{victim.id}/deactivate").status_code == 403
    db.session.expire_all()
    assert victim.is_active_account


def _emails(n):
    for i in range(n):
        send_email(f"person{i}@city.gov", "password_changed", user=type("U", (), {"name": f"P{i}", "email": "e"})(),
                   forgot_url="http://127.0.0.1:5000/forgot-password")
    db.session.commit()


def test_outbox_lists_newest_first_and_paginates(client, admin, monkeypatch):
    monkeypatch.setattr("grantflow.admin.views.EMAILS_PER_PAGE", 2)
    _emails(3)
    first = client.get("/admin/outbox").get_data(as_text=True)
    assert first.index("person2@") < first.index("person1@") and "person0@" not in first
    assert "Kept in the outbox" in first and "Page 1 of 2" in first
    assert "person0@" in client.get("/admin/outbox?page=2").get_data(as_text=True)
    assert client.get("/admin/outbox?page=3").status_code == 404


def test_outbox_email_page_shows_the_message_with_working_links(client, admin, f):
    user = f.create_user("applicant")
    client.post("/forgot-password", data={"email": user.email})
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == user.email))
    page = client.get(f"/admin/outbox/{email.id}").get_data(as_text=True)
    assert "Reset your GrantFlow password" in page and '<a href="http://127.0.0.1:5000/reset-password/' in page
    assert "emails/password_reset.txt" in page
    assert client.get("/admin/outbox/999999").status_code == 404


def test_outbox_hides_password_links_when_real_mail_delivers_them(client, admin, f, app, monkeypatch):
    user = f.create_user("applicant")
    token = make_reset_token(user)
    db.session.add(OutboxEmail(recipient=user.email, subject="Reset", template="password_reset",
                               body_text=f"Open http://127.0.0.1:5000/reset-password/{token} now."))
    db.session.commit()
    email_id = db.session.scalar(select(OutboxEmail.id))
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.gov")
    page = client.get(f"/admin/outbox/{email_id}").get_data(as_text=True)
    assert token not in page and "personal link hidden" in page


def test_user_list_queries_do_not_grow_with_the_number_of_users(client, admin, f):
    from tests.querycount import count_queries

    def queries_for_page() -> int:
        db.session.commit()
        db.session.expire_all()
        with count_queries() as queries:
            assert client.get("/admin/users").status_code == 200
        return len(queries)

    f.create_user("applicant", organisation=f.create_organisation())
    few = queries_for_page()
    for _ in range(6):
        f.create_user("applicant", organisation=f.create_organisation())
    assert queries_for_page() == few
