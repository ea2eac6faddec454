"""The staff application list at scale: its count is exact whichever tables the
filters touch."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grantflow.applications.models import Application
from grantflow.extensions import db
from grantflow.organisations.models import Organisation
from grantflow.staff import queries

from tests import factories
from .scenarios import quick_user


@pytest.fixture
def admin(login_as):
    user = quick_user("admin")
    login_as(user)
    return user


def _joined_count(filters: queries.ApplicationFilters) -> int:
    """The reference count: the filtered query with its join, counted as a subquery."""
    query = queries.filtered(filters).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(query))


def test_the_count_matches_the_rows_for_every_kind_of_filter(client, admin):
    round_a, round_b = factories.create_round(), factories.create_round()
    for n in range(7):
        organisation = factories.create_organisation(name=f"County {n}", state=("IA", "TX")[n % 2],
                                                     applicant_type=("B", "C")[n % 2])
        factories.create_application((round_a, round_b)[n % 3 == 0], organisation,
                                     state=("submitted", "screening")[n % 2], title=f"Exchange {n}",
                                     themes=[("climate", "migration")[n % 2]])
    db.session.commit()
    cases = [{}, {"round": str(round_b.id)}, {"state": "screening"}, {"theme": "climate"},
             {"applicant_type": "B"}, {"us_state": "TX"}, {"q": "county 3"}, {"q": "exchange", "state": "submitted"},
             {"round": str(round_a.id), "us_state": "IA", "theme": "climate"}]
    for args in cases:
        filters = queries.ApplicationFilters.from_args(args)
        expected = _joined_count(filters)
        assert queries.count_matching(filters) == expected, args
        page = queries.page_of_applications(filters, per_page=3)
        assert page.total == expected, args
        html = client.get("/admin/applications", query_string=args).get_data(as_text=True)
        noun = "application" if expected == 1 else "applications"
        assert (f"of {expected} {noun}" in html) if expected else ("No applications" in html), args
    assert queries.count_matching(queries.ApplicationFilters()) == db.session.scalar(
        select(func.count()).select_from(Application).join(Organisation)) == 7


def test_the_unfiltered_count_does_not_join_organisations(count_queries):
    with count_queries() as statements:
        queries.count_matching(queries.ApplicationFilters(state="submitted"))
        queries.count_matching(queries.ApplicationFilters(us_state="IA"))
    assert "organisations" not in statements[0].lower()
    assert "organisations" in statements[1].lower()
