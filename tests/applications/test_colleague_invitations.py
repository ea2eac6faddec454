"""Colleague invitations create nothing that blocks the invited address's owner
(issue 16: an applicant invited victim@..., who could no longer register and,
after a password reset, was signed in as a member of the attacker's organisation)."""
from __future__ import annotations

from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from grantflow.users import operations
from grantflow.users.models import User
from tests.factories import PASSWORD
from tests.users.helpers import emails_to, link_in_latest_email


def _invite(client, email, name="Sam Ortiz"):
    return client.post("/organisation/colleagues", data={"invite-name": name, "invite-email": email})


def test_an_invitation_creates_no_account(client, f, login_as):
    login_as(f.create_applicant())
    assert _invite(client, "victim@city.gov").status_code == 302
    assert operations.find_user_by_email("victim@city.gov") is None
    assert "/organisation/join/" in emails_to("victim@city.gov")[0].body_text


def test_the_invited_person_can_still_register_normally_and_joins_nothing(app, client, f, login_as):
    attacker = f.create_applicant()
    login_as(attacker)
    _invite(client, "victim@city.gov")
    victim = app.test_client()
    victim.post("/register", data={"name": "Vic Tim", "email": "victim@city.gov", "password": PASSWORD,
                                   "confirm": PASSWORD})
    victim.post(link_in_latest_email("victim@city.gov", "/register/confirm/"))
    user = operations.find_user_by_email("victim@city.gov")
    assert user is not None and user.organisation_id is None


def test_accepting_with_a_new_account_joins_the_organisation(app, client, f, login_as):
    inviter = f.create_applicant()
    login_as(inviter)
    _invite(client, "sam@ames.gov")
    path = link_in_latest_email("sam@ames.gov", "/organisation/join/")
    sam = app.test_client()
    page = sam.get(path)
    assert page.status_code == 200 and 'value="Sam Ortiz"' in page.get_data(as_text=True)
    weak = sam.post(path, data={"name": "Sam Ortiz", "password": "password1234", "confirm": "password1234"})
    assert "common or leaked" in weak.get_data(as_text=True)
    assert sam.post(path, data={"name": "Sam Ortiz", "password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    user = operations.find_user_by_email("sam@ames.gov")
    assert user.organisation_id == inviter.organisation_id and user.has_role("applicant")
    assert sam.get("/applications/").status_code == 200


def test_an_existing_account_accepts_only_when_its_owner_signs_in(app, client, f, login_as):
    inviter = f.create_applicant()
    owner = f.create_user("applicant", email="owner@city.gov")
    db.session.commit()
    login_as(inviter)
    answer_for_account = _invite(client, "owner@city.gov")
    answer_for_nobody = _invite(client, "nobody@city.gov")
    assert answer_for_account.status_code == answer_for_nobody.status_code == 302  # the same answer
    path = link_in_latest_email("owner@city.gov", "/organisation/join/")
    assert db.session.get(User, owner.id).organisation_id is None
    # the inviter cannot accept it for them
    assert "Sign out, then sign in" in client.post(path).get_data(as_text=True)
    assert db.session.get(User, owner.id).organisation_id is None
    browser = app.test_client()
    browser.post("/login", data={"email": "owner@city.gov", "password": PASSWORD})
    assert browser.post(path).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, owner.id).organisation_id == inviter.organisation_id


def test_a_member_of_another_organisation_is_not_pulled_in(app, client, f, login_as):
    inviter, stranger = f.create_applicant(), f.create_applicant()
    db.session.commit()
    login_as(inviter)
    _invite(client, stranger.email)
    path = link_in_latest_email(stranger.email, "/organisation/join/")
    browser = app.test_client()
    browser.post("/login", data={"email": stranger.email, "password": PASSWORD})
    assert "An account belongs to one organization" in browser.post(path).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, stranger.id).organisation_id != inviter.organisation_id


def test_the_email_is_sent_by_a_job(client, f, login_as):
    login_as(f.create_applicant())
    _invite(client, "sam@ames.gov")
    job = db.session.query(BackgroundJob).filter_by(task="grantflow.organisations.tasks.send_colleague_invitation").one()
    assert job.status == "done" and job.args["email"] == "sam@ames.gov"


def test_a_forged_link_is_refused(client):
    response = client.get("/organisation/join/not-a-token")
    assert response.status_code == 422 and "not valid" in response.get_data(as_text=True)


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(client, f, login_as):
    """Issue 16: invitations revealed whether an address had an account."""
    login_as(f.create_applicant())
    f.create_applicant(email="known@city.gov")
    answers = []
    for email in ("known@city.gov", "unknown@city.gov"):
        response = _invite(client, email)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"],
                        page.replace(email, "ADDRESS").count("We emailed ADDRESS an invitation")))
    assert answers[0] == answers[1] == (302, answers[0][1], 1)
