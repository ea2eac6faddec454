"""The dashboard's filter form is kept in the dashboard cache, keyed by what it is
rendered from: each request still shows its own selection and errors, and a
round added by another process is offered at once (the choices are read fresh)."""
from __future__ import annotations

import re

import pytest

from grantflow.extensions import db
from grantflow.funds.models import Round
from grantflow.portfolio import cache
from tests.factories_portfolio import create_portfolio
from tests.querycount import count_queries


@pytest.fixture
def kept(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTFOLIO_CACHE_SECONDS", 300)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin(f, login_as):
    user = f.create_user("admin", name="Ada Admin")
    login_as(user)
    return user


def _selected(page: str, name: str) -> list[str]:
    select = re.search(rf'<select id="[^"]+" name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_each_request_shows_its_own_selection(client, admin, kept):
    create_portfolio()
    assert _selected(client.get("/admin/portfolio/?us_state=TX").get_data(as_text=True), "us_state") == ["TX"]
    assert _selected(client.get("/admin/portfolio/?us_state=IA").get_data(as_text=True), "us_state") == ["IA"]
    assert _selected(client.get("/admin/portfolio/?us_state=TX").get_data(as_text=True), "us_state") == ["TX"]
    assert _selected(client.get("/admin/portfolio/").get_data(as_text=True), "us_state") == [""]


def test_errors_are_not_served_from_a_valid_request_and_back(client, admin, kept):
    create_portfolio()
    assert 'class="error-message"' not in client.get("/admin/portfolio/?year=2024").get_data(as_text=True)
    response = client.get("/admin/portfolio/?year=1899")
    assert response.status_code == 400 and "Give a year between 2000 and 2100" in response.get_data(as_text=True)
    assert 'class="error-message"' not in client.get("/admin/portfolio/?year=2024").get_data(as_text=True)


def test_a_round_added_elsewhere_is_offered_at_once(client, admin, kept):
    round_ = create_portfolio()["round"]
    db.session.commit()
    client.get("/admin/portfolio/")
    with count_queries() as warm:
        page = client.get("/admin/portfolio/").get_data(as_text=True)
    assert "Late summer round" not in page
    # another process adds a round: no ORM object, so this process's cache is not emptied
    columns = {c.key: getattr(round_, c.key) for c in Round.__table__.columns if c.key != "id"}
    db.session.execute(Round.__table__.insert().values(columns | {"name": "Late summer round"}))
    db.session.commit()
    with count_queries() as later_queries:
        later = client.get("/admin/portfolio/").get_data(as_text=True)
    assert len(later_queries) == len(warm)  # the figures still came from the cache
    assert "Late summer round" in later  # but the filter's choices are read on every request
