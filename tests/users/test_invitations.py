"""Administrators invite reviewers and administrators by email."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from grantflow.core.models import AuditEvent
from grantflow.core.refusal import Refused
from grantflow.extensions import db
from grantflow.users import operations, tokens
from grantflow.users.models import User

from tests.users.helpers import emails_to, link_in_latest_email

PASSWORD = "reviewer passphrase 1"


def _invite(client, **data):
    data = {"name": "Rosa Díaz", "email": "rosa@university.edu", "roles": ["reviewer"], **data}
    return client.post("/admin/users/invite", data=data)


@pytest.fixture
def admin(f, login_as):
    user = f.create_user("admin", name="Ada Admin")
    login_as(user)
    return user


def _actions(user):
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_type == "User", AuditEvent.subject_id == user.id).order_by(AuditEvent.id)))


def test_invitee_chooses_a_password_and_is_signed_in(client, admin):
    response = _invite(client)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    invitee = operations.find_user_by_email("rosa@university.edu")
    assert invitee.roles == {"reviewer"} and invitee.is_invitation_pending
    email = emails_to("rosa@university.edu")[0]
    assert email.subject == "You are invited to GrantFlow as Reviewer"
    assert "Ada Admin has invited you" in email.body_text and "7 days" in email.body_text

    client.post("/logout")
    path = link_in_latest_email("rosa@university.edu", "/invitation/")
    assert "Welcome, Rosa Díaz" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert invitee.check_password(PASSWORD) and not invitee.is_invitation_pending
    with client.session_transaction() as session:
        assert session["_user_id"].partition(":")[0] == str(invitee.id)
    assert _actions(invitee) == ["user.invited", "user.invitation_accepted", "user.signed_in"]
    invited = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.invited"))
    assert invited.actor_id == admin.id and invited.data == {"roles": ["reviewer"]}


def test_invitation_link_works_only_once(client, admin):
    _invite(client)
    client.post("/logout")
    path = link_in_latest_email("rosa@university.edu", "/invitation/")
    client.post(path, data={"password": PASSWORD, "confirm": PASSWORD})
    client.post("/logout")
    page = client.post(path, data={"password": "a takeover attempt", "confirm": "a takeover attempt"})
    assert "already been accepted" in page.get_data(as_text=True)
    db.session.expire_all()
    assert operations.find_user_by_email("rosa@university.edu").check_password(PASSWORD)


def test_expired_invitation_is_refused(client, admin, app, monkeypatch):
    _invite(client)
    client.post("/logout")
    path = link_in_latest_email("rosa@university.edu", "/invitation/")
    later = time.time() + app.config["INVITE_MAX_AGE"] + 5
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    page = client.get(path).get_data(as_text=True)
    assert "This invitation has expired" in page and "Ask the fund administrator" in page


def test_inviting_an_existing_account_adds_the_roles(client, admin, f):
    reviewer = f.create_user("reviewer", email="rosa@university.edu", name="Rosa Díaz")
    db.session.commit()
    response = _invite(client, roles=["reviewer", "admin"])
    assert response.status_code == 302
    db.session.expire_all()
    assert reviewer.roles == {"reviewer", "admin"} and not reviewer.is_invitation_pending
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 2
    email = emails_to(reviewer.email)[-1]
    assert email.subject == "New role in GrantFlow: Fund administrator" and "/login" in email.body_text
    assert _actions(reviewer) == ["user.roles_granted"]
    assert "added the role Fund administrator" in client.get("/admin/users").get_data(as_text=True)


def test_inviting_someone_who_already_has_the_roles_changes_nothing(client, admin, f):
    reviewer = f.create_user("reviewer", email="rosa@university.edu")
    db.session.commit()
    _invite(client)
    assert emails_to(reviewer.email) == [] and _actions(reviewer) == []
    assert "nothing changed" in client.get("/admin/users").get_data(as_text=True)


def test_inviting_again_before_acceptance_sends_a_fresh_link(client, admin):
    _invite(client)
    _invite(client, roles=["admin"])
    invitee = operations.find_user_by_email("rosa@university.edu")
    assert invitee.roles == {"reviewer", "admin"}
    assert len(emails_to(invitee.email)) == 2
    assert emails_to(invitee.email)[-1].subject == "You are invited to GrantFlow as Fund administrator"


def test_a_deactivated_account_cannot_be_invited(client, admin, f):
    gone = f.create_user("reviewer", email="rosa@university.edu")
    gone.is_active_account = False
    db.session.commit()
    page = _invite(client, roles=["admin"]).get_data(as_text=True)
    assert "This account is deactivated" in page
    db.session.expire_all()
    assert gone.roles == {"reviewer"}


@pytest.mark.parametrize("data, message", [
    ({"roles": []}, "Choose at least one role."),
    ({"roles": ["applicant"]}, "is not a valid choice"),
    ({"email": "not-an-address"}, "Enter a valid email address"),
    ({"name": "  "}, "Enter the person&#39;s name."),
])
def test_invite_form_explains_bad_input_and_keeps_the_rest(client, admin, data, message):
    response = _invite(client, **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    if "email" not in data:
        assert 'value="rosa@university.edu"' in page
    assert operations.find_user_by_email("rosa@university.edu") is None


@pytest.mark.parametrize("roles", [["reviewer"], ["admin"]])
def test_only_admins_may_invite(client, f, login_as, roles):
    login_as(f.create_user(*roles))
    expected = 200 if roles == ["admin"] else 403
    assert client.get("/admin/users/invite").status_code == expected
    if expected == 403:
        assert _invite(client).status_code == 403
        assert operations.find_user_by_email("rosa@university.edu") is None


def test_invitation_tokens_are_refused_as_reset_tokens_and_vice_versa(f):
    user = f.create_user("reviewer")
    with pytest.raises(tokens.TokenInvalid):
        tokens.load_invite_token(tokens.make_reset_token(user))


@pytest.mark.parametrize("email", ["notanemail", "a@b", "two@@example.gov", ""])
def test_invitation_refuses_an_invalid_address(email):
    from grantflow.users.operations import invite_user

    with pytest.raises(Refused, match="valid email address") as refused:
        invite_user(None, name="Pat Doe", email=email, roles=["reviewer"])
    assert refused.value.field == "email"
