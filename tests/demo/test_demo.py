"""`grantflow demo`: a migrated database, a seeded fund across the lifecycle, working logins."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from grantflow.applications.models import Application
from grantflow.extensions import db

# seeding prints no SQLAlchemy warning (make demo must be quiet)
pytestmark = pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    from tests.conftest import _test_config

    config = _test_config(tmp_path_factory)
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}"
    from grantflow import create_app

    app = create_app(config)
    with app.app_context():
        first = app.test_cli_runner().invoke(args=["demo", "--no-serve", "--port", "8123"],
                                                  catch_exceptions=False)
    app.first_output = first.output
    yield app
    with app.app_context():
        db.engine.dispose()


def test_demo_prints_logins_for_every_role(demo_app):
    output = demo_app.first_output
    assert "Demo logins (password for all: grantflow-demo)" in output
    for role in ("admin", "reviewer", "applicant"):
        assert re.search(rf"^\s+{role}\s+\S+@", output, re.M), f"no {role} login printed"


def test_demo_spreads_applications_over_the_lifecycle(demo_app):
    with demo_app.app_context():
        states = dict(db.session.execute(select(Application.state, func.count()).group_by(Application.state)).all())
    assert 28 <= sum(states.values()) <= 35
    for state in ("draft", "submitted", "screening", "more_info_requested", "ineligible", "in_review",
                  "reviews_complete", "waitlisted", "declined", "awarded", "award_offered", "active",
                  "final_report_submitted", "closeout", "closed", "withdrawn"):
        assert states.get(state), f"no demo application in {state}"


def test_running_the_demo_twice_adds_nothing(demo_app):
    with demo_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Application))
    with demo_app.app_context():  # Flask's CLI uses the innermost pushed app
        second = demo_app.test_cli_runner().invoke(args=["demo", "--no-serve"], catch_exceptions=False)
        assert "already there" in second.output
        assert db.session.scalar(select(func.count()).select_from(Application)) == before


@pytest.mark.parametrize("email, lands_on", [
    ("admin@demo.example.org", "/admin/"),
    ("reviewer1@demo.example.org", "/reviews/"),
])
def test_printed_logins_sign_in(demo_app, email, lands_on):
    client = demo_app.test_client()
    response = client.post("/login", data={"email": email, "password": "grantflow-demo"})
    assert response.status_code == 302
    home = client.get("/", follow_redirects=False)
    assert home.headers["Location"].startswith(lands_on)


def test_printed_applicant_sees_their_grant(demo_app):
    email = re.search(r"applicant\s+(\S+@\S+)", demo_app.first_output).group(1)
    client = demo_app.test_client()
    assert client.post("/login", data={"email": email, "password": "grantflow-demo"}).status_code == 302
    page = client.get("/applications/", follow_redirects=True)
    assert page.status_code == 200 and b"Des Moines" in page.data


def test_links_in_the_demo_emails_and_letters_reach_the_port_it_serves_on(demo_app):
    from grantflow.core.models import OutboxEmail

    with demo_app.app_context():
        bodies = db.session.scalars(select(OutboxEmail.body_text)).all()
    links = [link for body in bodies for link in re.findall(r"https?://[^/\s]+", body)]
    assert links and set(links) == {"http://127.0.0.1:8123"}
