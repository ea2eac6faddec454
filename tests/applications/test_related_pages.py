"""The applicant's application page links to the award, reporting and letters pages that apply now."""
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
def test_links_follow_the_state(f, client, login_as, state, shown, hidden):
    applicant = f.create_applicant()
    application = f.create_application(organisation=applicant.organisation, state=state)
    login_as(applicant)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    for label in shown:
        assert label in page
    for label in hidden:
        assert label not in page
