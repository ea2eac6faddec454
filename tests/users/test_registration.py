"""Registration confirms the address by email and answers the same whether or
not the address has an account (issue 16: /register said "already exists")."""
from __future__ import annotations

import pytest
from flask import url_for

from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from grantflow.users import operations
from grantflow.users.models import PendingRegistration, User
from tests.factories import PASSWORD
from tests.users.helpers import emails_to, link_in_latest_email

FORM = {"name": "Ana Ruiz", "job_title": "Director", "password": PASSWORD, "confirm": PASSWORD}


def _register(client, email):
    return client.post("/register", data={**FORM, "email": email})


def _page_text(response) -> str:
    return response.get_data(as_text=True).replace("taken@city.gov", "ADDRESS").replace("ana@tucson.gov", "ADDRESS")


def test_the_page_answers_the_same_whether_or_not_the_address_has_an_account(client, f):
    f.create_user("applicant", email="taken@city.gov")
    db.session.commit()
    new, taken = _register(client, "ana@tucson.gov"), _register(client, "taken@city.gov")
    assert new.status_code == taken.status_code == 200
    assert _page_text(new) == _page_text(taken)
    assert "Check your email" in new.get_data(as_text=True)
    # the work that differs (the lookup and the email) is a job for both
    assert db.session.query(BackgroundJob).filter_by(task="grantflow.users.tasks.send_registration_email").count() == 2


def test_the_email_tells_the_truth(client, f):
    f.create_user("applicant", email="taken@city.gov")
    db.session.commit()
    _register(client, "ana@tucson.gov")
    _register(client, "taken@city.gov")
    assert "/register/confirm/" in emails_to("ana@tucson.gov")[-1].body_text
    exists = emails_to("taken@city.gov")[-1]
    assert "already has an account" in exists.body_text and "/register/confirm/" not in exists.body_text


def test_the_link_creates_the_account_once_and_signs_in(client, app):
    _register(client, "ana@tucson.gov")
    assert operations.find_user_by_email("ana@tucson.gov") is None  # nothing until the owner confirms
    path = link_in_latest_email("ana@tucson.gov", "/register/confirm/")
    assert client.get(path).status_code == 200  # a mail scanner opening the link creates nothing
    assert operations.find_user_by_email("ana@tucson.gov") is None
    response = client.post(path)
    assert response.status_code == 302
    with app.test_request_context():
        assert response.headers["Location"] == url_for("organisations.profile")
    user = operations.find_user_by_email("ana@tucson.gov")
    assert user.has_role("applicant") and user.check_password(PASSWORD) and user.job_title == "Director"
    assert db.session.query(PendingRegistration).count() == 0
    client.post("/logout")
    again = client.post(path)
    assert "already been used" in again.get_data(as_text=True)


def test_registering_someone_elses_address_blocks_nothing(client, app):
    """An attacker registering the victim's address gets no account; the victim registers normally."""
    _register(client, "victim@city.gov")
    victim = app.test_client()
    victim.post("/register", data={**FORM, "name": "Vic Tim", "email": "victim@city.gov",
                                   "password": "the victim's own passphrase", "confirm": "the victim's own passphrase"})
    victim.post(link_in_latest_email("victim@city.gov", "/register/confirm/"))
    user = operations.find_user_by_email("victim@city.gov")
    assert user.name == "Vic Tim" and user.check_password("the victim's own passphrase")


def test_a_link_for_an_address_that_got_an_account_meanwhile_is_refused(client, f):
    _register(client, "ana@tucson.gov")
    path = link_in_latest_email("ana@tucson.gov", "/register/confirm/")
    f.create_user("applicant", email="ana@tucson.gov")
    db.session.commit()
    response = client.post(path)
    assert "already has an account" in response.get_data(as_text=True)
    assert db.session.query(User).filter_by(email="ana@tucson.gov").count() == 1


@pytest.mark.parametrize("registered", [True, False])
def test_password_reset_answers_the_same_and_sends_from_a_job(client, f, registered):
    if registered:
        f.create_user("applicant", email="someone@city.gov")
        db.session.commit()
    response = client.post("/forgot-password", data={"email": "someone@city.gov"})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert db.session.query(BackgroundJob).filter_by(task="grantflow.users.tasks.send_password_reset").count() == 1
    assert len(emails_to("someone@city.gov")) == (1 if registered else 0)
