"""The person's own account page (issue 17): name, job title and the time zone
in which deadlines and other times are shown to them."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from grantflow.core.models import AuditEvent
from grantflow.core.web import local_time
from grantflow.extensions import db

CLOSES = datetime(2027, 3, 3, 22, 0, tzinfo=timezone.utc)   # 5 PM in New York, in winter
SUMMER = datetime(2027, 7, 1, 21, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("chosen, round_zone, moment, shown", [
    (None, None, CLOSES, "March 3, 2027, 10:00 PM UTC"),
    (None, "America/New_York", CLOSES, "March 3, 2027, 5:00 PM EST"),
    (None, "America/New_York", SUMMER, "July 1, 2027, 5:00 PM EDT"),
    ("America/Los_Angeles", "America/New_York", CLOSES, "March 3, 2027, 2:00 PM PST"),
    ("Pacific/Honolulu", None, CLOSES, "March 3, 2027, 12:00 PM HST"),
    ("UTC", "America/Chicago", CLOSES, "March 3, 2027, 10:00 PM UTC"),
    (None, "Not/A_Zone", CLOSES, "March 3, 2027, 10:00 PM UTC"),
])
def test_a_time_shows_in_the_readers_zone_else_the_rounds_else_utc(app, f, chosen, round_zone, moment, shown):
    user = f.create_applicant()
    user.timezone = chosen
    db.session.commit()
    with app.test_request_context():
        from flask_login import login_user
        login_user(user)
        assert local_time(moment, round_zone) == shown


def test_outside_a_request_times_show_in_the_given_zone(app):
    with app.app_context():
        assert local_time(CLOSES, "America/Chicago") == "March 3, 2027, 4:00 PM CST"
        assert local_time(None) == "—"


def test_the_applicant_chooses_a_zone_and_the_deadline_follows(client, login_as, f):
    round_ = f.create_round(closes_at=CLOSES, settings={"timezone": "America/New_York"})
    applicant = f.create_applicant()
    application = f.create_application(round_, applicant.organisation, created_by=applicant)
    db.session.commit()
    login_as(applicant)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "March 3, 2027, 5:00 PM EST" in page

    saved = client.post("/account", data={"name": "Dana Sato", "job_title": "Director",
                                          "timezone": "America/Los_Angeles"})
    assert saved.status_code == 302
    assert client.get(f"/applications/{application.id}").get_data(as_text=True).count("2:00 PM PST") >= 1
    db.session.refresh(applicant)
    assert (applicant.name, applicant.job_title, applicant.timezone) == ("Dana Sato", "Director", "America/Los_Angeles")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.account_updated")).one()
    assert set(event.data["fields"]) == {"name", "job_title", "timezone"}


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "timezone": ""}, "name", "Enter your name."),
    ({"name": "Dana", "timezone": "Europe/Nowhere"}, "timezone", "Choose a time zone from the list."),
    ({"name": "x" * 201, "timezone": ""}, "name", "200"),
])
def test_bad_values_are_refused_next_to_the_field_and_kept(client, login_as, f, data, field, message):
    applicant = f.create_applicant(name="Original Name")
    db.session.commit()
    login_as(applicant)
    response = client.post("/account", data={"job_title": "Kept title", **data})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page and message in page
    assert 'value="Kept title"' in page
    db.session.refresh(applicant)
    assert applicant.name == "Original Name" and applicant.timezone is None
