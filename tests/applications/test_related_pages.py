"""The applicant's application page and "My applications" link to the award,
reporting and letters pages that apply now."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("state, shown, hidden", [
    ("draft", [], ["Letters from the fund", "Reports and payments", "Your award"]),
    ("declined", ["Letters from the fund"], ["Reports and payments", "Your award"]),
    ("waitlisted", ["Letters from the fund"], ["Reports and payments"]),
    ("award_offered", ["Review and accept the award offer", "Letters from the fund"], ["Reports and payments"]),
    ("active", ["Your award", "Reports and payments", "Letters from the fund"], []),
    ("closed", ["Your award", "Reports and payments", "Letters from the fund"], []),
])
@pytest.mark.parametrize("on", ["status page", "my applications"])
def test_links_follow_the_state(f, client, login_as, state, shown, hidden, on):
    applicant = f.create_applicant()
    application = f.create_application(organisation=applicant.organisation, state=state)
    login_as(applicant)
    url = f"/applications/{application.id}" if on == "status page" else "/applications/"
    page = client.get(url).get_data(as_text=True)
    for label in shown:
        assert label in page
    for label in hidden:
        assert label not in page
