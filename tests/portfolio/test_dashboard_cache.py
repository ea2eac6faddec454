"""The dashboard's figures are kept in the shared cache under the portfolio's
generation: an operation that changes the portfolio replaces it after its commit
(a rolled-back one, or a draft's autosave, does not), in every process that
shares the cache. The filter and export forms are each request's own."""
from __future__ import annotations

import hashlib
import re
import threading

import pytest
from flask import g

from grantflow.core import cache as shared_cache
from grantflow.core import outbox
from grantflow.core.models import BackgroundJob
from grantflow.core.workflow import fire
from grantflow.extensions import db
from grantflow.portfolio.tasks import EXPORT_TASK
from tests.conftest import REDIS_URL, login, require_service
from tests.factories_portfolio import create_portfolio
from tests.querycount import count_queries


@pytest.fixture
def admin(f, login_as):
    user = f.create_user("admin", name="Ada Admin")
    login_as(user)
    return user


def _queries(client, url: str = "/admin/portfolio/") -> int:
    """Statements of one request, including what its process does once the
    response is sent (closed, as the WSGI server closes it)."""
    db.session.expire_all()
    with count_queries() as statements, client.get(url) as response:
        assert response.status_code == 200
    return len(statements)


@pytest.fixture
def warm(client, admin):
    """A portfolio whose figures are computed once: (queries computing, queries served from the cache)."""
    made = create_portfolio()
    db.session.commit()
    computing, served = _queries(client), _queries(client)
    assert served < computing
    return made, computing, served


def test_an_operation_replaces_the_figures_after_its_commit(client, admin, warm, f):
    made, computing, served = warm
    submitted = f.create_application(made["round"], state="submitted")
    db.session.commit()  # written around the operations: not seen, as nothing reported it
    assert _queries(client) == served
    before = shared_cache.generation(shared_cache.PORTFOLIO)
    fire(submitted, "start_screening", admin)
    assert shared_cache.generation(shared_cache.PORTFOLIO) == before  # not before the commit
    outbox.commit()
    assert shared_cache.generation(shared_cache.PORTFOLIO) != before
    assert _queries(client) > served
    assert _queries(client) == served


def test_a_rolled_back_operation_keeps_the_figures(client, admin, warm, f):
    made, computing, served = warm
    submitted = f.create_application(made["round"], state="submitted")
    db.session.commit()
    before = shared_cache.generation(shared_cache.PORTFOLIO)
    fire(submitted, "start_screening", admin)
    db.session.rollback()
    outbox.commit()
    assert shared_cache.generation(shared_cache.PORTFOLIO) == before
    assert _queries(client) == served


def test_a_drafts_autosave_keeps_the_figures(app, client, admin, warm, f):
    made, computing, served = warm
    applicant = f.create_applicant()
    draft = f.create_application(made["round"], applicant.organisation, created_by=applicant)
    db.session.commit()
    shared_cache.portfolio_changed()  # the draft's creation, as start_application reports it
    outbox.commit()
    computing_again = _queries(client)
    served = _queries(client)
    other = app.test_client()
    login(other, applicant)
    response = other.post(f"/applications/{draft.id}/pages/plan", data={"_action": "save", "what": "Autosaved"})
    assert response.status_code == 302
    assert computing_again > served and _queries(client) == served


def test_recompute_now_computes_the_figures_again(client, warm):
    made, computing, served = warm
    assert _queries(client, "/admin/portfolio/?fresh=1") > served
    page = client.get("/admin/portfolio/").get_data(as_text=True)
    assert "Figures as of" in page and "Recompute now" in page and "$130,000" in page


def test_a_process_waits_for_the_one_computing_the_first_figures(app):
    """With no figures yet, one process computes; the others wait for its figures
    instead of computing the same ones (and compute only if it gives up)."""
    key = ("dashboard", "waiting")
    current = shared_cache.generation("portfolio")
    entry = f"portfolio:entry:{hashlib.sha1(repr(key).encode()).hexdigest()}"
    computing = f"{entry}:{current}:computing"

    def later(action):
        """``action`` in 0.3 s, from another thread (standing for another process)."""
        def run():
            with app.app_context():
                action()
        timer = threading.Timer(0.3, run)
        timer.start()
        return timer

    shared_cache.cache.add(computing, 1)
    other = later(lambda: shared_cache.cache.set(entry, ("from the other process", 1.0, current)))
    assert shared_cache.cached("portfolio", key, lambda: "computed here") == ("from the other process", 1.0, True)
    other.join()
    shared_cache.cache.delete(entry)  # the other process failed: its mark goes, nothing was stored
    shared_cache.cache.add(computing, 1)
    timer = later(lambda: shared_cache.cache.delete(computing))
    assert shared_cache.cached("portfolio", key, lambda: "computed here")[0] == "computed here"
    timer.join()


def test_after_a_change_the_page_shows_the_latest_figures_while_its_process_computes(client, admin, warm, f):
    """The first request after a change does not wait for the recomputation: it
    gets the latest figures, marked as being updated, and its process computes the
    current ones once the response is sent; every request after it gets those."""
    made, computing, served = warm
    submitted = f.create_application(made["round"], state="submitted")
    db.session.commit()
    fire(submitted, "start_screening", f.create_user("admin", name="Another Admin"))
    outbox.commit()
    db.session.expire_all()
    response = client.get("/admin/portfolio/")
    page = response.get_data(as_text=True)
    assert "newer figures are being computed" in page and 'role="status"' in page
    assert "Recompute now" not in page
    response.close()  # as the WSGI server does after sending it: the figures are computed now
    page = client.get("/admin/portfolio/").get_data(as_text=True)
    assert "being computed" not in page and "they are recomputed after every change" in page
    assert _queries(client) == served


@pytest.mark.redis
def test_a_change_committed_by_another_process_sharing_redis_is_seen(make_app):
    """An RQ worker (here another app on the same Redis database and prefix)
    replaces the generation that every web process reads."""
    require_service("Redis", REDIS_URL)
    shared = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": f"grantflow-test-shared-{id(make_app)}:"}
    web, worker = make_app(**shared), make_app(**shared)
    computed = []
    with web.app_context():
        shared_cache.cached("portfolio", ("k",), lambda: computed.append(1) or "old")
        assert shared_cache.cached("portfolio", ("k",), lambda: "never")[0] == "old"
    with worker.app_context():
        shared_cache.portfolio_changed()
        outbox.commit()
    with web.app_context():
        assert shared_cache.cached("portfolio", ("k",), lambda: "new")[0] == "new"
        shared_cache.cache.clear()


def _selected(page: str, name: str) -> list[str]:
    select = re.search(rf'<select id="[^"]+" name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_each_request_shows_its_own_selection_and_errors(client, admin):
    create_portfolio()
    assert _selected(client.get("/admin/portfolio/?us_state=TX").get_data(as_text=True), "us_state") == ["TX"]
    assert _selected(client.get("/admin/portfolio/?us_state=IA").get_data(as_text=True), "us_state") == ["IA"]
    assert _selected(client.get("/admin/portfolio/").get_data(as_text=True), "us_state") == [""]
    response = client.get("/admin/portfolio/?year=1899")
    assert response.status_code == 400 and "Give a year between 2000 and 2100" in response.get_data(as_text=True)
    assert 'class="error-message"' not in client.get("/admin/portfolio/?year=2024").get_data(as_text=True)


def test_a_new_round_is_offered_at_the_next_request(client, admin, f):
    round_ = create_portfolio()["round"]
    db.session.commit()
    assert "Late summer round" not in client.get("/admin/portfolio/").get_data(as_text=True)
    f.create_round(round_.fund, name="Late summer round")
    db.session.commit()
    page = client.get("/admin/portfolio/").get_data(as_text=True)
    assert re.search(r'<option value="\d+">Local-to-Global Engagement Fund: Late summer round</option>', page)


def _export_form(page: str) -> tuple[dict, str]:
    """The export form's hidden fields and its CSRF token."""
    form = re.search(r'<form method="post" action="/admin/portfolio/exports">.*?</form>', page, re.S).group(0)
    hidden = dict(re.findall(r'<input name="([a-z_]+)" type="hidden" value="([^"]*)">', form))
    return hidden, re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)


def test_the_export_form_has_this_requests_filters_and_this_sessions_token(app, client, admin, monkeypatch):
    create_portfolio()
    db.session.commit()
    other = app.test_client()
    login(other, admin)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production, from here on
    texas, texas_token = _export_form(client.get("/admin/portfolio/?us_state=TX").get_data(as_text=True))
    iowa, iowa_token = _export_form(client.get("/admin/portfolio/?us_state=IA").get_data(as_text=True))
    assert texas["us_state"] == "TX" and iowa["us_state"] == "IA" and iowa["fund_id"] == ""
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


def test_figures_older_than_the_cache_timeout_are_recomputed_after_the_response(app, client, warm, monkeypatch):
    """Rows written around the operations (SQL, a bulk load) are counted once the
    figures are older than CACHE_DEFAULT_TIMEOUT, without a page waiting for it."""
    made, computing, served = warm
    monkeypatch.setitem(app.config, "CACHE_DEFAULT_TIMEOUT", 0.001)
    with client.get("/admin/portfolio/") as response:  # aged: shown as they are, recomputed once sent
        assert "newer figures are being computed" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "CACHE_DEFAULT_TIMEOUT", 300)
    assert "they are recomputed after every change" in client.get("/admin/portfolio/").get_data(as_text=True)
    assert _queries(client) == served
