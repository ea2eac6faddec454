"""The organisation profile: created once, reused by every application and
shared by colleagues."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grantflow.core.models import OutboxEmail
from grantflow.extensions import db
from grantflow.organisations.models import Organisation
from grantflow.users.models import User

PROFILE = {"name": "City of Ames", "applicant_type": "C", "state": "IA", "population": "66,427",
           "uei": "j7m9 hptg j1s8", "ein": "426004643"}


def test_an_applicant_without_organisation_is_sent_to_create_it_first(client, f, login_as):
    round_ = f.create_round()
    newcomer = f.create_user("applicant")
    login_as(newcomer)
    response = client.get(f"/applications/start/{round_.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/organisation/?next=")
    response = client.post(response.headers["Location"], data=PROFILE)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/applications/start/{round_.id}"
    organisation = db.session.query(Organisation).one()
    assert (organisation.name, organisation.population, organisation.uei, organisation.ein) == \
        ("City of Ames", 66427, "J7M9HPTGJ1S8", "42-6004643")
    assert db.session.get(User, newcomer.id).organisation_id == organisation.id


def test_my_applications_invites_an_applicant_without_organisation_to_set_it_up(client, f, login_as):
    login_as(f.create_user("applicant"))
    html = client.get("/applications/").get_data(as_text=True)
    assert "Set up your organization" in html


def test_bad_identifiers_are_explained_next_to_their_field_and_kept(client, f, login_as):
    login_as(f.create_user("applicant"))
    response = client.post("/organisation/", data={**PROFILE, "uei": "123", "ein": "12-34", "population": "many"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A UEI has 12 letters and numbers" in html and "Enter the EIN as 9 digits" in html
    assert "Enter the population as a whole number" in html
    assert 'value="City of Ames"' in html and 'value="many"' in html
    assert db.session.query(Organisation).count() == 0


def test_a_member_updates_the_profile_and_the_change_is_audited(client, f, login_as):
    applicant = f.create_applicant()
    login_as(applicant)
    response = client.post("/organisation/", data={**PROFILE, "name": "City of Ames, Iowa"})
    assert response.status_code == 302
    organisation = db.session.get(Organisation, applicant.organisation_id)
    assert organisation.name == "City of Ames, Iowa"
    from grantflow.core.models import AuditEvent

    event = db.session.query(AuditEvent).filter_by(action="organisation.updated").one()
    assert "name" in event.data["fields"]


def test_colleagues_of_one_organisation_work_on_the_same_applications(client, f, login_as):
    applicant = f.create_applicant()
    colleague = f.create_applicant(organisation=applicant.organisation)
    application = f.create_application(organisation=applicant.organisation, created_by=applicant)
    login_as(colleague)
    assert client.get(f"/applications/{application.id}/pages/plan").status_code == 200
    response = client.post(f"/applications/{application.id}/pages/plan",
                           data={"_action": "save", "what": "Edited by a colleague", "how": "x", "why": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert application.answers["what"] == "Edited by a colleague"


def test_an_expired_session_gives_the_typed_profile_back(app, client, f, login_as, monkeypatch):
    login_as(f.create_user("applicant"))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/organisation/", data={**PROFILE, "csrf_token": "stale"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Not saved yet." in html
    assert 'value="City of Ames"' in html
    assert db.session.query(Organisation).count() == 0


@pytest.mark.parametrize("typed, field, message", [
    ({"ein": "03-6000264"}, "ein", "“Town of Brattleboro” (Vermont) is already registered with this EIN"),
    ({"uei": "BRATTLEBORO1"}, "uei", "“Town of Brattleboro” (Vermont) is already registered with this UEI"),
    ({}, "name", "“Town of Brattleboro” in Vermont is already registered"),
])
def test_a_government_already_registered_is_not_registered_twice(client, f, login_as, typed, field, message):
    f.create_organisation("Town of Brattleboro", state="VT", ein="03-6000264", uei="BRATTLEBORO1")
    login_as(f.create_user("applicant"))
    data = {**PROFILE, "name": "town of brattleboro", "state": "VT", "ein": "", "uei": "", **typed}
    response = client.post("/organisation/", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert f'id="{field}-error"' in page or f'{field}-error' in page
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
    if field == "name":  # a different government of the same name: said so, it registers
        confirmed = client.post("/organisation/", data={**data, "is_different": "y"})
        assert confirmed.status_code == 302
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2
