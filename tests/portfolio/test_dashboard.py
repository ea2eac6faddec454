"""The dashboard: figures, charts with their tables, filters, and a fixed number of queries."""
from __future__ import annotations

import re
from datetime import date

import pytest

from grantflow.extensions import db
from tests.factories_portfolio import create_case, create_portfolio
from tests.querycount import count_queries


@pytest.fixture
def admin(f):
    return f.create_user("admin", name="Ada Admin")


def test_dashboard_shows_totals_charts_and_their_tables(client, login_as, admin):
    create_portfolio()
    login_as(admin)
    page = client.get("/admin/portfolio/").get_data(as_text=True)
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 7
    # every chart has a title and a description the screen reader announces
    assert len(re.findall(r'aria-labelledby="chart-\d+-title chart-\d+-desc"', page)) == 7
    assert "$130,000" in page and "$90,000" in page  # awarded and paid
    assert "<caption>Applications and awards by theme</caption>" in page
    assert "Forty residents joined a trade mission." in page
    assert "Unconsented story." not in page


def test_filters_narrow_the_figures(client, login_as, admin):
    create_portfolio()
    login_as(admin)
    page = client.get("/admin/portfolio/?us_state=TX").get_data(as_text=True)
    assert "El Paso County" not in page  # no per-application list on the dashboard
    assert "$50,000" in page and "$130,000" not in page


@pytest.mark.parametrize("query, message", [
    ("us_state=ZZ", "is not a US state or territory code"),
    ("year=1899", "Give a year between 2000 and 2100"),
    ("round_id=abc", "is not a whole number"),
    ("round_id=9999", "There is no round 9999"),
    ("applicant_type=Q", "is not an applicant type"),
    ("workflow_state=limbo", "is not a workflow state"),
])
def test_bad_filters_are_explained_next_to_the_field(client, login_as, admin, query, message):
    login_as(admin)
    response = client.get(f"/admin/portfolio/?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'class="error-message"' in page


def _dashboard_queries(client, url: str = "/admin/portfolio/") -> int:
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_dashboard_issues_the_same_number_of_queries_whatever_the_size(client, login_as, admin, f):
    login_as(admin)
    round_ = f.create_round()
    create_case(round_, state="active", awarded=1_000_000, paid=(500_000,))
    db.session.commit()
    small = _dashboard_queries(client, "/admin/portfolio/?fresh=1")
    for i in range(30):
        create_case(round_, state=("active", "declined", "submitted")[i % 3],
                    awarded=1_000_000 if i % 3 == 0 else None, paid=(500_000,) if i % 3 == 0 else (),
                    organisation=f.create_organisation(state=("IA", "TX", "CA")[i % 3]))
    db.session.commit()
    assert _dashboard_queries(client, "/admin/portfolio/?fresh=1") == small


def test_a_story_repeated_in_each_report_of_a_grant_is_shown_once(client, login_as, admin):
    from grantflow.portfolio.filters import PortfolioFilters
    from grantflow.portfolio.queries import summarise
    from tests.factories_portfolio import create_report

    create_portfolio()
    grant = create_case(awarded=5_000_000)
    for period_end in (date(2025, 9, 30), date(2026, 3, 31)):
        create_report(grant, {}, story="A delegation from Osaka visited.", consent=True, period_end=period_end)
    summary = summarise(PortfolioFilters())
    texts = [story.text for story in summary.stories]
    assert texts.count("A delegation from Osaka visited.") == 1 and summary.stories_total == 2
    login_as(admin)
    assert client.get("/admin/portfolio/").get_data(as_text=True).count("A delegation from Osaka visited.") == 1
