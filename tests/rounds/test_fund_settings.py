"""The fund settings page: every value checked with the rule its reader
applies, a bad one refused next to its field and never stored, a change
audited; and the readers use what is stored."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from grantflow.core.models import AuditEvent
from grantflow.extensions import db
from grantflow.funds.models import Fund

from tests import factories
from tests.workflow.scenarios import quick_user

GOOD = {
    "payment_schedule-0-label": "Advance", "payment_schedule-0-release_on": "acceptance",
    "payment_schedule-0-percent": "60",
    "payment_schedule-1-label": "Balance", "payment_schedule-1-release_on": "final_report",
    "payment_schedule-1-percent": "40",
    "interim_report_months": "3", "final_report_days": "90", "reminder_days_before": "10",
    "award_number_prefix": "L2G", "signatory_name": "Ana Ruiz", "signatory_title": "Program Director",
    "giving_prefix": "usocsd-l2g",
}

#: field (where the message shows), changes to GOOD, words of the message
REFUSED = [
    ("payment_schedule", {"payment_schedule-1-percent": "30"}, "add up to 90%, not 100%"),
    ("payment_schedule", {"payment_schedule-1-percent": "forty"}, "as a percentage"),
    ("payment_schedule", {"payment_schedule-1-percent": "-40"}, "more than 0%"),
    ("payment_schedule", {"payment_schedule-1-label": ""}, "Give each payment a label"),
    ("payment_schedule", {"payment_schedule-1-release_on": "date"}, "is released on a date: give the date"),
    ("payment_schedule", {"payment_schedule-0-label": "", "payment_schedule-0-percent": "",
                          "payment_schedule-1-label": "", "payment_schedule-1-percent": ""}, "at least one payment"),
    ("interim_report_months", {"interim_report_months": "six"}, "whole number from 0 to 24"),
    ("interim_report_months", {"interim_report_months": "25"}, "whole number from 0 to 24"),
    ("final_report_days", {"final_report_days": "0"}, "whole number from 1 to 365"),
    ("reminder_days_before", {"reminder_days_before": "-1"}, "whole number from 0 to 90"),
    ("award_number_prefix", {"award_number_prefix": "l2g grants"}, "capital letters"),
    ("award_number_prefix", {"award_number_prefix": ""}, "capital letters"),
    ("signatory_title", {"signatory_title": ""}, "name and title, or neither"),
    ("giving_prefix", {"giving_prefix": "US OCSD!"}, "lower-case letters"),
]


@pytest.fixture
def admin(login_as):
    user = quick_user("admin")
    login_as(user)
    return user


def test_settings_saved_audited_and_used(client, admin):
    fund = factories.create_fund(slug="l2g", settings={"open_data": True})
    db.session.commit()
    page = client.get(f"/admin/funds/{fund.id}/settings")
    assert page.status_code == 200 and 'value="OCSD-L2G"' in page.text  # the default shown
    assert client.post(f"/admin/funds/{fund.id}/settings", data=GOOD).status_code == 302
    db.session.expire_all()
    settings = db.session.get(Fund, fund.id).settings
    assert settings["open_data"] is True  # other settings kept
    assert settings["payment_schedule"] == [{"label": "Advance", "release_on": "acceptance", "percent": "60"},
                                            {"label": "Balance", "release_on": "final_report", "percent": "40"}]
    assert (settings["interim_report_months"], settings["final_report_days"], settings["reminder_days_before"]) \
        == (3, 90, 10)
    assert settings["letter_signatory"] == {"name": "Ana Ruiz", "title": "Program Director"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fund.settings_updated"))
    assert event.actor_id == admin.id and event.data["award_number_prefix"] == [None, "L2G"]
    # the readers take them
    from grantflow.awards.operations import default_tranches
    from grantflow.reporting.schedule import reporting_settings
    assert [t.label for t in default_tranches(db.session.get(Fund, fund.id))] == ["Advance", "Balance"]
    assert reporting_settings(settings)["interim_report_months"] == 3


@pytest.mark.parametrize("field, changes, message", REFUSED)
def test_a_bad_setting_is_refused_and_never_stored(client, admin, field, changes, message):
    fund = factories.create_fund(slug="l2g", settings={"award_number_prefix": "KEEP"})
    db.session.commit()
    response = client.post(f"/admin/funds/{fund.id}/settings", data={**GOOD, **changes})
    assert response.status_code == 422 and message in response.text
    anchor = "payment-schedule-error" if field == "payment_schedule" else f"{field}-error"
    assert f'id="{anchor}"' in response.text and 'role="alert"' in response.text
    db.session.expire_all()
    assert db.session.get(Fund, fund.id).settings == {"award_number_prefix": "KEEP"}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fund.settings_updated")) is None
