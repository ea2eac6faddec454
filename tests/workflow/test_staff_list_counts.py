"""The staff application list at scale: its count is exact whichever tables the
filters touch, the theme filter offers the application forms' themes, and the
filter form shows each request's own values and the current rounds."""
from __future__ import annotations

import re

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


def test_the_theme_filter_offers_the_forms_themes_and_keeps_the_chosen_one(client, admin):
    html = client.get("/admin/applications").get_data(as_text=True)
    assert '<option value="climate">' in html  # an option of the shipped application form
    html = client.get("/admin/applications", query_string={"theme": "arctic_partnerships"}).get_data(as_text=True)
    assert _selected(html, "theme") == ["arctic_partnerships"]


def _selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select id="[^"]+" name="{name}">.*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_the_filter_form_shows_each_requests_values_and_new_rounds(client, admin):
    round_ = factories.create_round(name="Spring")
    factories.create_application(round_, state="submitted", themes=["climate"])
    db.session.commit()
    first = client.get("/admin/applications", query_string={"us_state": "TX", "q": "ames"}).get_data(as_text=True)
    assert _selected(first, "us_state") == ["TX"] and 'name="q" value="ames"' in first
    again = client.get("/admin/applications", query_string={"us_state": "IA"}).get_data(as_text=True)
    assert _selected(again, "us_state") == ["IA"] and 'name="q" value=""' in again
    assert _selected(client.get("/admin/applications").get_data(as_text=True), "us_state") == []
    factories.create_round(name="Late summer")
    db.session.commit()
    html = client.get("/admin/applications", query_string={"round": round_.id}).get_data(as_text=True)
    assert _selected(html, "round") == [str(round_.id)] and ": Late summer</option>" in html


@pytest.mark.parametrize("filters, page, expected_page, expected_ids", [
    ({}, 2, 2, [4, 5]), ({}, 9, 2, [4, 5]), ({"state": "submitted"}, 9, 1, [0, 2, 4]),
    ({"theme": "climate"}, 7, 1, [0, 2, 4]), ({"state": "withdrawn"}, 3, 1, []), ({"theme": "none"}, 1, 1, []),
], ids=["second page", "past the last page", "past the last, state filter", "past the last, theme filter",
        "nothing matches, later page", "nothing matches"])
def test_a_page_past_the_end_shows_the_last_page(filters, page, expected_page, expected_ids):
    round_ = factories.create_round()
    apps = [factories.create_application(round_, state=("submitted", "screening")[n % 2],
                                         themes=[("climate", "trade")[n % 2]]) for n in range(6)]
    db.session.commit()
    listed = queries.page_of_applications(queries.ApplicationFilters.from_args({**filters, "page": page}),
                                          per_page=4)
    assert (listed.page, [a.id for a in listed.items]) == (expected_page, [apps[i].id for i in expected_ids])
    assert listed.total == _joined_count(queries.ApplicationFilters.from_args(filters))
