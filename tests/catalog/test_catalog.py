"""The public catalog: filters, project pages, the map, the downloads, the old
open-data addresses, and the link from the home page."""
from __future__ import annotations

import json
import re

import pytest

from grantflow.catalog.usmap import build_map, drawn_codes
from grantflow.extensions import db
from grantflow.portfolio.exports import run_export
from grantflow.portfolio.filters import PortfolioFilters
from tests.catalog.factories import published_world
from tests.portfolio.reference_schema import reference_errors


@pytest.fixture(autouse=True)
def fresh_public_files(app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_DATA_MAX_AGE", 0)


def _titles(html: str) -> set[str]:
    return set(re.findall(r'<h2 class="project-title"><a href="[^"]+">([^<]+)</a>', html))


@pytest.mark.parametrize("query, expected", [
    ("", {"Visible harbor partnership", "Border trade corridor"}),
    ("theme=trade_investment", {"Visible harbor partnership"}),
    ("theme=cross_border", {"Border trade corridor"}),
    ("us_state=TX", {"Border trade corridor"}),
    ("applicant_type=C", {"Visible harbor partnership"}),
    ("year=2025", {"Visible harbor partnership", "Border trade corridor"}),
    ("year=2024", set()),
    ("us_state=IA&theme=cross_border", set()),
])
def test_filters(client, query, expected):
    published_world()
    response = client.get(f"/catalog/?{query}")
    assert response.status_code == 200
    assert _titles(response.get_data(as_text=True)) == expected


@pytest.mark.parametrize("query, message", [
    ("year=1800", "Give a year between 2000 and 2100"),
    ("us_state=ZZ", "is not a US state or territory code"),
    ("theme=%3Cscript%3E", "is not a theme key"),
    ("applicant_type=Q", "is not an applicant type"),
])
def test_a_bad_filter_is_a_message_next_to_its_field(client, query, message):
    published_world()
    for path in ("/catalog/", "/catalog/map"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert message in page and 'aria-invalid="true"' in page and "<script>" not in page


def test_a_project_page_says_what_with_whom_where_how_much_and_what_came_of_it(client):
    world = published_world()
    page = client.get(f"/catalog/projects/{world['visible'].id}").get_data(as_text=True)
    for text in ("Visible harbor partnership", "City of Des Moines", "Iowa", "City or township government",
                 "Porto, Portugal", "Porto Harbor Institute", "Academic institution", "$40,000",
                 "April 1, 2025 to March 31, 2026", "Sister-city exchange on flood resilience.",
                 "Forty residents joined a trade mission."):
        assert text in page, text
    # jobs: target 20, the latest accepted report says 12 (60%)
    assert re.search(r"Jobs created</th>\s*<td class=\"num\">20</td>\s*<td class=\"num\">12</td>\s*"
                     r"<td class=\"num\">60%</td>", page)


def test_the_map_colours_states_by_projects_with_a_table_and_countries(client):
    published_world()
    page = client.get("/catalog/map").get_data(as_text=True)
    assert page.count("<path class=\"map-c") == len(drawn_codes()) == 51
    assert 'aria-label="Iowa: 1 funded project"' in page and 'aria-label="Ohio: no funded projects"' in page
    assert re.search(r'<a href="/catalog/\?us_state=IA" aria-label="Iowa: 1 funded project">', page)
    assert "Funded projects by state or territory" in page and "Partner countries" in page
    assert re.search(r"Mexico</th><td class=\"num\">1</td>", page)
    assert " style=" not in page and "<style" not in page and "<script" not in page  # the CSP allows neither


@pytest.mark.parametrize("counts, expected", [
    ({}, {"IA": "map-c0"}),
    ({"IA": 1}, {"IA": "map-c4", "TX": "map-c0"}),
    ({"IA": 1, "TX": 2}, {"IA": "map-c3", "TX": "map-c4"}),
    ({"IA": 1, "TX": 4, "CA": 8, "NY": 3}, {"IA": "map-c1", "NY": "map-c2", "TX": "map-c2", "CA": "map-c4"}),
])
def test_the_colour_scale_gives_the_darkest_shade_to_the_most_projects(counts, expected):
    shown = {s.code: s.css_class for s in build_map(counts).states}
    assert {code: shown[code] for code in expected} == expected
    legend = build_map(counts).legend
    assert legend[0].label == "No projects" and {e.css_class for e in legend} >= set(expected.values())


def test_the_downloads_are_valid_360giving_of_accepted_grants_only(client, app, tmp_path):
    world = published_world()
    package = client.get(f"/catalog/{world['fund'].slug}/360giving.json").get_json()
    assert reference_errors(package) == []
    assert len(package["grants"]) == 2
    # the administrators' 360Giving export follows the same rule (offers and pending letters are no grants)
    run_export("360giving", tmp_path / "all.json", PortfolioFilters())
    titles = {g["title"] for g in json.loads((tmp_path / "all.json").read_text())["grants"]}
    assert "OFFERED-SECRET-TITLE" not in titles and "PENDING-LETTER-SECRET" not in titles
    assert "NO-ACCEPTANCE-SECRET" not in titles and "Visible harbor partnership" in titles
    response = client.get(f"/catalog/{world['fund'].slug}/360giving.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_nothing_published_says_so(client):
    response = client.get("/catalog/")
    assert response.status_code == 200 and "No fund publishes its funded projects yet." in response.get_data(
        as_text=True)


def test_the_old_open_data_addresses_move_to_the_catalog(client):
    world = published_world()
    slug = world["fund"].slug
    assert client.get("/open-data/").headers["Location"].endswith("/catalog/")
    assert client.get(f"/open-data/{slug}/").status_code == 301
    assert client.get(f"/open-data/{slug}/360giving.json").headers["Location"].endswith(
        f"/catalog/{slug}/360giving.json")


def test_the_home_page_links_to_the_catalog_and_the_map(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/catalog/"' in page and 'href="/catalog/map"' in page


def test_the_config_can_publish_every_fund(client, app, monkeypatch):
    world = published_world()
    assert client.get(f"/catalog/{world['quiet_fund'].slug}/360giving.json").status_code == 404
    monkeypatch.setitem(app.config, "OPEN_DATA_ALL_FUNDS", True)
    assert client.get(f"/catalog/{world['quiet_fund'].slug}/360giving.json").status_code == 200
    # a round that says it does not publish still does not
    assert "PRIVATE-ROUND-SECRET" not in client.get("/catalog/").get_data(as_text=True)
    db.session.rollback()


def test_the_storage_sweep_keeps_the_current_downloads_only(client, app):
    from datetime import datetime, timedelta, timezone

    from grantflow.catalog.downloads import current_package_keys
    from grantflow.core import storage

    world = published_world()
    slug = world["fund"].slug
    for extension in ("json", "xlsx"):
        assert client.get(f"/catalog/{slug}/360giving.{extension}").status_code == 200
    current = current_package_keys()
    assert len(current) == 2

    def sweep() -> set[str]:
        return {f.key for f in storage.sweep("exports", older_than=timedelta(0),
                                             now=datetime.now(timezone.utc) + timedelta(seconds=5))}

    assert not sweep() & current
    world["round"].settings = {"open_data": False}  # the round stops publishing: its files are stale
    db.session.commit()
    assert sweep() >= current


def test_a_year_without_projects_stays_selected(client):
    published_world()
    page = client.get("/catalog/?year=2024").get_data(as_text=True)
    assert '<option value="2024" selected>2024</option>' in page and "0 projects match these filters" in page
