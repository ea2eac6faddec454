"""The dashboard: figures, charts with their tables, filters, and a fixed number of queries."""
from __future__ import annotations

import re

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


def _dashboard_queries(client) -> int:
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get("/admin/portfolio/").status_code == 200
    return len(statements)


def test_the_dashboard_issues_the_same_number_of_queries_whatever_the_size(client, login_as, admin, f):
    login_as(admin)
    round_ = f.create_round()
    create_case(round_, state="active", awarded=1_000_000, paid=(500_000,))
    db.session.commit()
    small = _dashboard_queries(client)
    for i in range(30):
        create_case(round_, state=("active", "declined", "submitted")[i % 3],
                    awarded=1_000_000 if i % 3 == 0 else None, paid=(500_000,) if i % 3 == 0 else (),
                    organisation=f.create_organisation(state=("IA", "TX", "CA")[i % 3]))
    db.session.commit()
    assert _dashboard_queries(client) == small


def test_cached_figures_are_served_until_this_process_changes_the_data(client, login_as, admin, app, monkeypatch):
    from grantflow.portfolio import cache

    monkeypatch.setitem(app.config, "PORTFOLIO_CACHE_SECONDS", 300)
    cache.clear()
    round_ = create_portfolio()["round"]
    login_as(admin)
    cold = _dashboard_queries(client)
    warm = _dashboard_queries(client)
    assert warm < cold  # the figures came from the cache
    page = client.get("/admin/portfolio/").get_data(as_text=True)
    assert "Figures as of" in page and "$130,000" in page
    create_case(round_, state="active", awarded=7_000_000)
    db.session.commit()  # a change committed here empties the cache at once
    assert "$200,000" in client.get("/admin/portfolio/").get_data(as_text=True)
    assert _dashboard_queries(client) == warm
    cache.clear()
