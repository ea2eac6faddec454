"""Rate limits on the forms that check a password or send email (issue 16):
60 wrong passwords then the right one used to sign in; /forgot-password and
invitations sent unlimited email."""
from __future__ import annotations

import pytest

from grantflow.core.limits import limiter, wait_text
from grantflow.core.models import OutboxEmail
from grantflow.extensions import db
from tests.factories import PASSWORD


@pytest.fixture
def limits_on(app):
    """The limits as in production (the rest of the suite runs without them)."""
    limiter.reset()
    app.config["RATE_LIMITS"] = True
    yield
    app.config["RATE_LIMITS"] = False
    limiter.reset()


def _sign_in(client, email, password, address="203.0.113.7"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_overrides={"REMOTE_ADDR": address})


def test_wrong_passwords_then_the_right_one_is_refused_for_a_while(client, f, limits_on):
    user = f.create_user("applicant")
    db.session.commit()
    answers = [_sign_in(client, user.email, f"wrong guess number {n}").status_code for n in range(6)]
    assert answers == [422] * 5 + [429]
    refused = _sign_in(client, user.email, PASSWORD)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 60
    assert "<title>Too many attempts" in page and "wait" in page and "try again" in page


def test_the_account_limit_holds_across_network_addresses(client, f, limits_on):
    user = f.create_user("applicant")
    db.session.commit()
    for n in range(5):
        _sign_in(client, user.email, "wrong guess", address=f"198.51.100.{n}")
    assert _sign_in(client, user.email, PASSWORD, address="192.0.2.99").status_code == 429


def test_successful_sign_ins_do_not_count_against_the_account(client, f, limits_on):
    user = f.create_user("applicant")
    db.session.commit()
    for _ in range(8):
        assert _sign_in(client, user.email, PASSWORD).status_code == 302
        client.post("/logout")


def test_one_address_cannot_try_many_accounts(client, f, limits_on):
    answers = [_sign_in(client, f"nobody{n}@city.gov", "wrong guess").status_code for n in range(31)]
    assert answers[:30] == [422] * 30 and answers[30] == 429


def test_sign_in_to_save_is_limited_too(client, f, limits_on):
    user = f.create_user("applicant")
    db.session.commit()
    data = {"_target": "1:plan", "_signin_email": user.email, "_signin_password": "wrong guess"}
    answers = [client.post("/applications/sign-in-to-save", data=data).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_password_reset_emails_are_limited_per_address(client, f, limits_on):
    f.create_user("applicant", email="target@city.gov")
    db.session.commit()
    answers = [client.post("/forgot-password", data={"email": "target@city.gov"}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert db.session.query(OutboxEmail).filter_by(recipient="target@city.gov").count() <= 3


def test_colleague_invitations_are_limited_per_address(client, f, login_as, limits_on):
    login_as(f.create_applicant())
    answers = [client.post("/organisation/colleagues", data={"invite-name": "Sam Ortiz",
                                                            "invite-email": "sam@ames.gov"}).status_code
               for _ in range(4)]
    assert answers[-1] == 429


def test_administrator_invitations_are_limited_per_address(client, f, login_as, limits_on):
    login_as(f.create_user("admin"))
    data = {"name": "Rosa Diaz", "email": "rosa@university.edu", "roles": ["reviewer"]}
    answers = [client.post("/admin/users/invite", data=data).status_code for _ in range(4)]
    assert answers[-1] == 429


def test_registration_is_limited(client, limits_on):
    data = {"name": "Ana Ruiz", "email": "ana@tucson.gov", "password": "short", "confirm": "short"}
    answers = [client.post("/register", data=data).status_code for _ in range(4)]
    assert answers == [422, 422, 422, 429]


def test_pages_are_not_limited(client, limits_on):
    assert {client.get("/login").status_code for _ in range(40)} == {200}


@pytest.mark.parametrize("seconds, text", [(1, "1 second"), (45, "45 seconds"), (60, "60 seconds"),
                                           (600, "10 minutes"), (3600, "60 minutes"), (7200, "2 hours")])
def test_the_wait_in_words(seconds, text):
    assert wait_text(seconds) == text


def test_behind_a_trusted_proxy_the_client_address_is_limited(make_app, app, f):
    """Without GRANTFLOW_TRUSTED_PROXIES every client behind a load balancer would share its address."""
    proxied = make_app(TRUSTED_PROXIES=1, RATE_LIMITS=True,
                       SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"]).test_client()
    limiter.reset()
    try:
        def sign_in(client_address, n):
            return proxied.post("/login", data={"email": f"nobody{n}@city.gov", "password": "wrong guess"},
                                headers={"X-Forwarded-For": client_address},
                                environ_overrides={"REMOTE_ADDR": "10.0.0.1"}).status_code

        assert [sign_in("203.0.113.1", n) for n in range(31)][-1] == 429
        assert sign_in("203.0.113.2", 99) == 422  # another client behind the same proxy
    finally:
        limiter.reset()


def test_forms_that_email_the_fund_are_limited_per_signed_in_sender(client, f, login_as, limits_on):
    """An applicant's replies and requests for a mentor email every administrator."""
    from tests import factories_mentoring as fm

    f.create_user("admin")
    applicant = f.create_applicant()
    application = f.create_application(f.create_round(), applicant.organisation, state="submitted")
    login_as(applicant)
    answers = [client.post(f"/applications/{application.id}/reply", data={"text": f"Reply {n}."}).status_code
               for n in range(11)]
    assert answers == [302] * 10 + [429]
    assert db.session.query(OutboxEmail).filter_by(template="applicant_replied").count() == 10

    login_as(fm.create_drafter())
    data = {"needs": "", "languages": ["en"]}
    assert [client.post("/mentoring/ask", data=data).status_code for _ in range(11)] == [422] * 10 + [429]
