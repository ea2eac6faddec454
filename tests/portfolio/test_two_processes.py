"""Two app processes (two gunicorn instances) sharing PostgreSQL and Redis: a
change made through one puts the other's dashboard out of date at its next
request, which says so and has the figures recomputed once it is answered; the
requests after that one show the change."""
from __future__ import annotations

import re
import time
import uuid

import pytest

from grantflow.extensions import db
from tests import factories
from tests.conftest import POSTGRES_URL, REDIS_URL, private_postgres_database, require_service
from tests.factories_portfolio import create_portfolio
from tests.served import csrf_token, gunicorn, signed_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def _states_table(html: str) -> str:
    return re.search(r"<caption>Applications by workflow state</caption>.*?</table>", html, re.S).group(0)


def test_a_change_through_one_process_is_on_the_others_dashboard_at_the_next_request(make_app, tmp_path):
    require_service("PostgreSQL", POSTGRES_URL)
    require_service("Redis", REDIS_URL)
    url = private_postgres_database(POSTGRES_URL)
    seeding = make_app(SQLALCHEMY_DATABASE_URI=url)
    with seeding.app_context():
        db.create_all()
        admin = factories.create_user("admin", name="Ada Admin")
        submitted = factories.create_application(create_portfolio()["round"], state="submitted")
        db.session.commit()
        email, application_id = admin.email, submitted.id
        db.session.remove()
        db.engine.dispose()
    env = {"DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "two-processes",
           "GRANTFLOW_CACHE_PREFIX": f"grantflow-test-{uuid.uuid4().hex[:8]}:",
           **{f"GRANTFLOW_{name}_DIR": str(tmp_path / name.lower()) for name in ("UPLOAD", "LETTER", "EXPORT")}}
    with gunicorn(env) as first, gunicorn(env) as second:
        mover, watcher = signed_in(first, email, factories.PASSWORD), signed_in(second, email, factories.PASSWORD)
        for _ in range(2):  # computed, then served from the shared cache
            before = _states_table(watcher.get(f"{second}/admin/portfolio/", timeout=60).text)
        assert "Eligibility screening" not in before
        page = mover.get(f"{first}/admin/applications/{application_id}", timeout=60).text
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        response = mover.post(f"{first}/applications/{application_id}/transitions/start_screening",
                              data={"csrf_token": csrf_token(page), "version": version}, allow_redirects=False,
                              timeout=60)
        assert response.status_code == 302
        next_page = watcher.get(f"{second}/admin/portfolio/", timeout=60).text
        assert "newer figures are being computed" in next_page  # not shown as current
        assert _states_table(next_page) == before
        deadline = time.monotonic() + 60
        while "being computed" in next_page and time.monotonic() < deadline:
            time.sleep(0.2)
            next_page = watcher.get(f"{second}/admin/portfolio/", timeout=60).text
        assert "they are recomputed after every change" in next_page
        assert "Eligibility screening" in _states_table(next_page)
