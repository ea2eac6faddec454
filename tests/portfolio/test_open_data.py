"""Public open data: only funds that publish, awarded grants only, no personal data."""
from __future__ import annotations

import json
import re

import pytest

from grantflow.extensions import db
from tests.portfolio.reference_schema import reference_errors
from grantflow.users.models import User
from tests.factories_portfolio import create_portfolio


@pytest.fixture(autouse=True)
def fresh_public_files(app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_DATA_MAX_AGE", 0)


def _publish(fund):
    fund.settings = {**(fund.settings or {}), "open_data": True}
    db.session.commit()


def test_nothing_is_public_until_a_fund_publishes(client):
    made = create_portfolio()
    db.session.commit()
    assert "No fund publishes open data yet" in client.get("/open-data/").get_data(as_text=True)
    assert client.get(f"/open-data/{made['fund'].slug}/").status_code == 404
    assert client.get(f"/open-data/{made['fund'].slug}/360giving.json").status_code == 404


def test_a_publishing_fund_lists_its_grants_and_consented_stories(client):
    made = create_portfolio()
    _publish(made["fund"])
    page = client.get(f"/open-data/{made['fund'].slug}/").get_data(as_text=True)
    assert "2 grants, $130,000 awarded" in page
    assert "City of Des Moines" in page and "El Paso County" in page
    assert "Government of Guam" not in page  # declined and offer-declined: no grant
    assert "Forty residents joined a trade mission." in page and "Unconsented story." not in page


def test_the_public_360giving_file_validates_and_names_no_person(client, f, storage_backend):
    made = create_portfolio()
    for org in {a.organisation for a in made["apps"]}:
        f.create_applicant(org, name=f"Applicant Person {org.id}", email=f"person{org.id}@city.example.gov")
    _publish(made["fund"])
    response = client.get(f"/open-data/{made['fund'].slug}/360giving.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    text = response.get_data(as_text=True)
    package = json.loads(text)
    assert reference_errors(package) == [] and len(package["grants"]) == 2
    people = [u.name for u in db.session.query(User).all()] + ["Pat Representative"]
    for name in people:
        assert name not in text
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), "no email address"
    assert not re.search(r"\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}", text), "no phone number"


def test_the_config_can_publish_every_fund(client, app, monkeypatch):
    made = create_portfolio()
    db.session.commit()
    monkeypatch.setitem(app.config, "OPEN_DATA_ALL_FUNDS", True)
    assert made["fund"].name in client.get("/open-data/").get_data(as_text=True)
    assert client.get(f"/open-data/{made['fund'].slug}/360giving.json").status_code == 200
