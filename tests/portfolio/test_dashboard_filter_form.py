"""The dashboard's filter form is kept in the dashboard cache, keyed by what it is
rendered from: each request still shows its own selection and errors. The
funds, rounds and years offered are kept too: a round added in this process is
offered at the next request, one added by another process once the cache expires.
The export form's fields are kept too, but not its CSRF token, which is each
session's own."""
from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from flask import g

from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from grantflow.funds.models import Round
from grantflow.portfolio import cache
from grantflow.portfolio.tasks import EXPORT_TASK
from tests.conftest import login
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


def test_a_round_added_here_is_offered_at_the_next_request(client, admin, kept, f):
    round_ = create_portfolio()["round"]
    db.session.commit()
    client.get("/admin/portfolio/")
    assert "Late summer round" not in client.get("/admin/portfolio/").get_data(as_text=True)
    f.create_round(round_.fund, name="Late summer round")
    db.session.commit()  # a round committed in this process empties the dashboard cache
    page = client.get("/admin/portfolio/").get_data(as_text=True)
    assert re.search(r'<option value="\d+">Local-to-Global Engagement Fund: Late summer round</option>', page)


def test_a_round_added_elsewhere_is_offered_once_the_cache_expires(client, admin, kept, monkeypatch):
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
    assert len(later_queries) == len(warm)  # the figures and the choices still came from the cache
    assert "Late summer round" not in later
    expired = time.time() + 301  # PORTFOLIO_CACHE_SECONDS later
    monkeypatch.setattr(cache, "time", SimpleNamespace(time=lambda: expired))
    assert "Late summer round" in client.get("/admin/portfolio/").get_data(as_text=True)


def _export_form(page: str) -> tuple[dict, str]:
    """The export form's hidden fields and its CSRF token."""
    form = re.search(r'<form method="post" action="/admin/portfolio/exports">.*?</form>', page, re.S).group(0)
    hidden = dict(re.findall(r'<input name="([a-z_]+)" type="hidden" value="([^"]*)">', form))
    return hidden, re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)


def test_the_export_form_has_this_requests_filters_and_this_sessions_token(app, client, admin, kept, monkeypatch):
    create_portfolio()
    db.session.commit()
    other = app.test_client()
    login(other, admin)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production, from here on
    texas, texas_token = _export_form(client.get("/admin/portfolio/?us_state=TX").get_data(as_text=True))
    iowa, iowa_token = _export_form(client.get("/admin/portfolio/?us_state=IA").get_data(as_text=True))
    assert texas["us_state"] == "TX" and iowa["us_state"] == "IA" and iowa["fund_id"] == ""
    # another session served the same cached fields gets its own token, and both forms post.
    # (Flask-WTF keeps a request's token on g, which here lives as long as the
    # test's app context; in production each request has its own.)
    g.pop("csrf_token", None)
    again, other_token = _export_form(other.get("/admin/portfolio/?us_state=IA").get_data(as_text=True))
    assert again == iowa and other_token != iowa_token
    for who, token in ((client, iowa_token), (other, other_token)):
        response = who.post("/admin/portfolio/exports", data={**iowa, "format": "csv", "csrf_token": token})
        assert response.status_code == 302
    assert client.post("/admin/portfolio/exports", data={**iowa, "format": "csv"}).status_code == 400
    jobs = db.session.query(BackgroundJob).filter_by(task=EXPORT_TASK).all()
    assert [job.args["filters"] for job in jobs] == [{"us_state": "IA"}] * 2
