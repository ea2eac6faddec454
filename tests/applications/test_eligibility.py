"""The eligibility screen: applicant type, amount and period, with a plain
explanation when the fund cannot accept the application."""
from __future__ import annotations


import pytest
import yaml

from grantflow.applications.models import Application
from grantflow.config import PROJECT_ROOT
from grantflow.core.formdefs.builder import build_all
from grantflow.core.formdefs.parse import _Loader, parse
from grantflow.core.formdefs.registry import registry
from grantflow.extensions import db

GOOD = {"amount_requested": "50,000", "project_start": "2027-01-01", "project_end": "2027-12-31"}

CASES = [
    # (posted, eligible, explanation shown)
    (GOOD, True, None),
    ({**GOOD, "amount_requested": "10000"}, True, None),
    ({**GOOD, "amount_requested": "$250,000.00"}, True, None),
    ({**GOOD, "amount_requested": "9999.99"}, False, "This round funds requests between $10,000 and $250,000"),
    ({**GOOD, "amount_requested": "300000"}, False, "you asked for $300,000.00"),
    ({**GOOD, "project_end": "2028-12-31"}, True, None),
    ({**GOOD, "project_end": "2029-01-01"}, False, "The project can last at most 24 months"),
    ({**GOOD, "project_end": "2026-06-01"}, False, "The end date must be after the start date"),
    ({**GOOD, "amount_requested": ""}, False, "Enter an answer for “Amount requested (US dollars)”"),
    ({**GOOD, "amount_requested": "a lot"}, False, "Enter an amount in dollars"),
]


@pytest.mark.parametrize("posted, eligible, explanation", CASES)
def test_eligibility_table(client, signed_in, open_round, posted, eligible, explanation):
    response = client.post(f"/applications/start/{open_round.id}", data=posted)
    created = db.session.query(Application).count()
    if eligible:
        assert response.status_code == 302 and created == 1
        assert response.headers["Location"].endswith("/pages/applicant")
    else:
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and created == 0
        assert explanation in html
        # what was typed comes back in the form
        for value in posted.values():
            assert f'value="{value}"' in html


def test_a_started_application_keeps_the_eligibility_answers_and_the_profile(client, signed_in, open_round):
    client.post(f"/applications/start/{open_round.id}", data=GOOD)
    application = db.session.query(Application).one()
    assert application.state == "draft" and application.created_by_id == signed_in.id
    assert (application.form_key, application.form_version) == ("local_to_global", 1)
    assert application.amount_requested_cents == 5_000_000
    assert application.answers["project_start"] == "2027-01-01"
    assert application.answers["government_name"] == signed_in.organisation.name
    assert application.answers["applicant_type"] == signed_in.organisation.applicant_type


def test_the_round_limits_come_from_the_round(client, signed_in, f):
    small = f.create_round(min_request_cents=500_000, max_request_cents=2_000_000, max_period_months=12)
    response = client.post(f"/applications/start/{small.id}", data=GOOD)
    html = response.get_data(as_text=True)
    assert "between $5,000 and $20,000" in html
    response = client.post(f"/applications/start/{small.id}",
                           data={**GOOD, "amount_requested": "15000", "project_end": "2028-06-30"})
    assert "at most 12 months" in response.get_data(as_text=True)


@pytest.fixture
def state_governments_only(app, monkeypatch):
    text = (PROJECT_ROOT / "forms/applications/local_to_global.v1.yaml").read_text()
    text = text.replace("key: local_to_global", "key: states_only").replace(
        "applicant_types: [A, B, C, F, I, J, R]", "applicant_types: [A, F]")
    definition = parse(yaml.load(text, Loader=_Loader), source="states_only.v1.yaml")  # noqa: S506
    monkeypatch.setitem(registry().definitions, definition.ident, definition)
    monkeypatch.setitem(registry().classes, definition.ident, build_all(definition))
    return definition


def test_an_ineligible_applicant_type_is_told_why_before_typing_anything(client, signed_in, f,
                                                                         state_governments_only):
    round_ = f.create_round(form_key="states_only")
    response = client.get(f"/applications/start/{round_.id}")
    html = response.get_data(as_text=True)
    assert "Your organization cannot apply to this fund" in html
    assert "state government, u.s. territory or possession" in html
    assert "city or township government" in html
    assert 'name="amount_requested"' not in html
    client.post(f"/applications/start/{round_.id}", data=GOOD)
    assert db.session.query(Application).count() == 0


def test_a_closed_round_cannot_be_started(client, signed_in, f):
    closed = f.create_round(is_open=False)
    html = client.get(f"/applications/start/{closed.id}").get_data(as_text=True)
    assert "This round is not open for applications" in html
    client.post(f"/applications/start/{closed.id}", data=GOOD)
    assert db.session.query(Application).count() == 0


def test_existing_drafts_of_the_round_are_pointed_out(client, signed_in, draft, open_round):
    html = client.get(f"/applications/start/{open_round.id}").get_data(as_text=True)
    assert draft.reference in html


def test_an_expired_session_gives_the_eligibility_answers_back(app, client, open_round, signed_in, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(f"/applications/start/{open_round.id}", data={**GOOD, "csrf_token": "stale"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your session expired" in html
    assert 'value="50,000"' in html and 'value="2027-12-31"' in html
    assert db.session.query(Application).count() == 0
