"""Nothing unpublished or personal leaks: an offer not yet accepted, an award whose
letter is pending, a declined offer, an application not funded, a draft, a grant
without an acceptance record, a round and a fund that do not publish, people's
names, emails and phone numbers, an unconsented story. None of it appears on any
catalog page, on the map, or in any download."""
from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook

from grantflow.extensions import db
from grantflow.users.models import User
from tests.catalog.factories import PERSONAL, published_world

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}")


@pytest.fixture(autouse=True)
def fresh_public_files(app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_DATA_MAX_AGE", 0)


def _xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for cell in row if cell is not None)


def _everything_public(client, world) -> dict[str, str]:
    """Every public page and file of the catalog, as text."""
    slug = world["fund"].slug
    texts = {}
    for url in ["/", "/catalog/", "/catalog/map", f"/catalog/{slug}/360giving.json"]:
        response = client.get(url)
        assert response.status_code == 200, url
        texts[url] = response.get_data(as_text=True)
    for key in ("theme", "us_state", "applicant_type"):  # the filters' choices: only what the page offers
        texts[f"/catalog/?{key}="] = client.get(f"/catalog/?{key}=").get_data(as_text=True)
    for grant in (world["visible"], world["second"]):
        texts[f"project {grant.id}"] = client.get(f"/catalog/projects/{grant.id}").get_data(as_text=True)
    response = client.get(f"/catalog/{slug}/360giving.xlsx")
    assert response.status_code == 200
    texts["xlsx"] = _xlsx_text(response.data)
    return texts


def test_only_accepted_grants_of_publishing_rounds_are_shown(client):
    world = published_world()
    texts = _everything_public(client, world)
    assert "Visible harbor partnership" in texts["/catalog/"] and "Border trade corridor" in texts["/catalog/"]
    assert "Porto Harbor Institute" in texts[f"project {world['visible'].id}"]
    assert "Portugal" in texts["/catalog/map"] and "Mexico" in texts["/catalog/map"]
    package = json.loads(texts[f"/catalog/{world['fund'].slug}/360giving.json"])
    assert {g["title"] for g in package["grants"]} == {"Visible harbor partnership", "Border trade corridor"}
    for why, application in world["hidden"].items():
        secrets = [application.title, application.organisation.name,
                   application.answers["partner_places"][0]["country"], application.answers["partners"][0]["name"]]
        for where, text in texts.items():
            for secret in secrets:
                assert secret not in text, f"{why}: {secret!r} is on {where}"


def test_no_person_appears(client):
    world = published_world()
    people = [u.name for u in db.session.query(User).all()] + list(PERSONAL.values()) + ["Pat Representative"]
    for where, text in _everything_public(client, world).items():
        for name in people:
            assert name not in text, f"{name!r} is on {where}"
        assert not EMAIL.search(text), f"an email address is on {where}: {EMAIL.search(text).group(0)}"
        assert not PHONE.search(text), f"a phone number is on {where}: {PHONE.search(text).group(0)}"
        assert "UNCONSENTED-STORY-SECRET" not in text, where
        assert "partner's role" not in text, where  # what a partner does is the application's, not public


@pytest.mark.parametrize("why", ["offered", "letter pending", "offer declined", "not funded", "draft",
                                 "funded without acceptance record", "round that does not publish",
                                 "fund that does not publish"])
def test_an_unpublished_project_page_is_not_found(client, why):
    world = published_world()
    assert client.get(f"/catalog/projects/{world['hidden'][why].id}").status_code == 404


def test_a_fund_without_a_publishing_round_has_no_downloads(client):
    world = published_world()
    for extension in ("json", "xlsx"):
        assert client.get(f"/catalog/{world['quiet_fund'].slug}/360giving.{extension}").status_code == 404
    assert "quiet-fund" not in client.get("/catalog/").get_data(as_text=True)


def test_a_round_that_stops_publishing_leaves_the_next_download(client):
    world = published_world()
    slug = world["fund"].slug
    assert len(client.get(f"/catalog/{slug}/360giving.json").get_json()["grants"]) == 2
    world["round"].settings = {"open_data": False}
    db.session.commit()
    assert client.get(f"/catalog/{slug}/360giving.json").status_code == 404
    assert client.get(f"/catalog/projects/{world['visible'].id}").status_code == 404
    assert "Visible harbor partnership" not in client.get("/catalog/").get_data(as_text=True)
