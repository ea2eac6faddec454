"""Rounds in the web UI: create, edit (locked fields), close; every bad value
refused next to its field with nothing stored; every change audited. The
values are read by the operation the command line uses, so these tables hold
for ``grantflow rounds create`` too (``test_cli_refuses_what_the_page_refuses``)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from grantflow.core.db import utcnow
from grantflow.core.models import AuditEvent
from grantflow.extensions import db
from grantflow.funds.models import Round

from tests import factories
from tests.workflow.scenarios import quick_user

GOOD = {"name": "2027 round", "description": "Capacity for international engagement.",
        "opens": "2027-01-15T09:00", "closes": "2027-03-31T17:00", "timezone": "America/New_York",
        "budget": "3000000", "min_award": "10000", "max_award": "250000", "workflow": "local_to_global:2",
        "form": "local_to_global:2", "rubric": "local_to_global:1", "reviewers_per_application": "3",
        "reviewer_cap": "12", "blind": "y", "open_data": "y"}

#: field, bad value, words of the message shown next to that field
REFUSED = [
    ("name", "", "Give the round a name"),
    ("closes", "2027-01-15T08:00", "must close after it opens"),
    ("opens", "15/01/2027", "YYYY-MM-DDTHH:MM"),
    ("timezone", "Mars/Olympus", "is not a time zone"),
    ("timezone", "", "is not a time zone"),
    ("budget", "lots", "amount in US dollars"),
    ("budget", "-5", "positive amount"),
    ("min_award", "300000", "minimum award ($300,000.00) is above the maximum"),
    ("max_award", "5000000", "above the whole budget"),
    ("workflow", "local_to_global:99", "There is no workflow local_to_global version 99"),
    ("workflow", "local_to_global", "KEY:VERSION"),
    ("form", "local_to_global:99", "There is no application form"),
    ("rubric", "local_to_global:7", "There is no rubric"),
    ("reviewers_per_application", "0", "whole number from 1 to 20"),
    ("reviewers_per_application", "three", "whole number from 1 to 20"),
    ("reviewer_cap", "0", "whole number from 1 to 500"),
]


@pytest.fixture
def admin(login_as):
    user = quick_user("admin")
    login_as(user)
    return user


def _rounds() -> int:
    return db.session.scalar(select(func.count()).select_from(Round))


def test_admin_creates_a_round_audited(client, admin):
    fund = factories.create_fund(slug="l2g", settings={"open_data": True})
    db.session.commit()
    page = client.get(f"/admin/funds/{fund.id}/rounds/new")
    assert re.search(r'<input[^>]*checked[^>]*id="open_data"', page.text)  # the fund publishes: so does its round
    assert page.status_code == 200
    assert 'value="local_to_global:2"' in page.text and 'value="local_to_global:1"' in page.text
    response = client.post(f"/admin/funds/{fund.id}/rounds/new", data=GOOD)
    assert response.status_code == 302
    round_ = db.session.scalar(select(Round).where(Round.fund_id == fund.id))
    assert response.headers["Location"].endswith(f"/admin/rounds/{round_.id}")
    assert (round_.workflow_version, round_.form_version, round_.rubric_version) == (2, 2, 1)
    assert round_.opens_at.hour == 14  # 09:00 in New York in January is 14:00 UTC
    assert round_.settings == {"timezone": "America/New_York", "open_data": True, "reviewer_cap": 12}
    assert round_.is_blind_review and round_.budget_cents == 300_000_000
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.created"))
    assert event.actor_id == admin.id and event.data["workflow"] == "local_to_global:2"


@pytest.mark.parametrize("field, value, message", REFUSED)
def test_a_bad_value_is_refused_next_to_its_field_and_nothing_stored(client, admin, field, value, message):
    fund = factories.create_fund(slug="l2g")
    db.session.commit()
    response = client.post(f"/admin/funds/{fund.id}/rounds/new", data={**GOOD, field: value})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert f'aria-describedby="{field}-hint {field}-error"' in response.text or \
        f'aria-describedby="{field}-error"' in response.text
    assert _rounds() == 0


def test_cli_refuses_what_the_page_refuses(runner):
    factories.create_fund(slug="l2g")
    db.session.commit()
    for field, value, message in REFUSED:
        if field == "name":  # click requires --name itself
            continue
        options = {**GOOD, field: value}
        args = ["rounds", "create", "--fund", "l2g"]
        for key, text in options.items():
            if key in ("blind", "open_data"):
                continue
            args += [f"--{key.replace('_', '-')}", text]
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, (field, value, result.output)
        assert f"(--{field.replace('_', '-')})" in result.output
    assert _rounds() == 0


#: what an application in the round has done -> the fields locked, and why
LOCKS = [
    (None, set()),
    ("draft", {"workflow"}),
    ("submitted", {"workflow", "form"}),
]


@pytest.mark.parametrize("state, locked", LOCKS)
def test_fields_that_would_corrupt_running_applications_are_locked(client, admin, state, locked):
    round_ = factories.create_round(workflow_version=1, form_version=1)
    if state:
        application = factories.create_application(round_, state=state)
        if state == "submitted":
            application.submitted_at = utcnow()
    db.session.commit()
    page = client.get(f"/admin/rounds/{round_.id}/edit")
    assert page.status_code == 200
    for field in ("workflow", "form"):
        assert (f'id="{field}-lock"' in page.text) == (field in locked)
    assert ("already run on this workflow" in page.text) == ("workflow" in locked)
    assert ("submitted on this form version" in page.text) == ("form" in locked)
    values = {**GOOD, "workflow": "local_to_global:1", "form": "local_to_global:1", "opens": "2026-01-01T09:00"}
    for field in ("workflow", "form"):
        response = client.post(f"/admin/rounds/{round_.id}/edit", data={**values, field: "local_to_global:2"})
        db.session.expire_all()
        stored = db.session.get(Round, round_.id)
        if field in locked:
            assert response.status_code == 422 and "Locked:" in response.text
            assert (stored.workflow_version, stored.form_version) == (1, 1)
        else:
            assert response.status_code == 302
            assert getattr(stored, f"{field}_version") == 2
            client.post(f"/admin/rounds/{round_.id}/edit", data=values)  # back to v1 for the next field


def test_an_edit_is_audited_with_what_changed(client, admin):
    round_ = factories.create_round(name="Spring round")
    db.session.commit()
    from grantflow.funds.operations import round_values
    values = {**round_values(round_), "name": "Spring round 2027", "budget": "1234567"}
    values = {k: v for k, v in values.items() if v is not False}
    assert client.post(f"/admin/rounds/{round_.id}/edit", data=values).status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.updated"))
    assert event.data["name"] == ["Spring round", "Spring round 2027"]
    assert event.data["budget_cents"][1] == 123_456_700
    # saving again changes nothing and audits nothing more
    client.post(f"/admin/rounds/{round_.id}/edit", data=values)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "round.updated")) == 1


def test_closing_an_open_round_stops_it_now_and_is_audited(client, admin):
    round_ = factories.create_round()
    closed = factories.create_round(is_open=False)
    db.session.commit()
    assert client.post(f"/admin/rounds/{round_.id}/close").status_code == 302
    db.session.expire_all()
    assert db.session.get(Round, round_.id).closes_at <= utcnow()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.closed")).subject_id == round_.id
    before = db.session.get(Round, closed.id).closes_at
    page = client.post(f"/admin/rounds/{closed.id}/close", follow_redirects=True)
    assert "is already closed" in page.text
    assert db.session.get(Round, closed.id).closes_at == before


def test_rounds_list_and_dashboard_link_each_hub_and_the_navigation_has_it(client, admin):
    round_ = factories.create_round(name="Autumn round")
    db.session.commit()
    page = client.get("/admin/rounds")
    assert f'href="/admin/rounds/{round_.id}"' in page.text and ">Autumn round<" in page.text
    dashboard = client.get("/admin/").text
    assert 'href="/admin/rounds">Rounds<' in dashboard and f'href="/admin/rounds/{round_.id}"' in dashboard
    assert f'href="/admin/funds/{round_.fund_id}/settings"' in page.text
