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
    assert 35 <= sum(states.values()) <= 42
    for state in ("draft", "submitted", "screening", "more_info_requested", "ineligible", "in_review",
                  "reviews_complete", "waitlisted", "declined", "awarded", "award_offered", "active",
                  "final_report_submitted", "closeout", "closed", "withdrawn"):
        assert states.get(state), f"no demo application in {state}"


def test_demo_has_an_open_round_on_v2_beside_the_v1_rounds(demo_app):
    """The fund's new process (workflow and form v2, an interview before any award)
    runs open beside the v1 rounds, with applications in its own states and answers."""
    from grantflow.core.formdefs import answer
    from grantflow.funds.models import Round

    with demo_app.app_context():
        rounds = {}
        for round_ in db.session.scalars(select(Round)):
            rounds.setdefault((round_.workflow_version, round_.form_version), []).append(round_)
        v2, = rounds[(2, 2)]
        assert v2.is_open() and len(rounds[(1, 1)]) == 2
        on_v2 = dict(db.session.execute(select(Application.state, func.count()).where(
            Application.round_id == v2.id).group_by(Application.state)).all())
        assert {"in_preparation", "lodged", "eligibility_check", "panel_scoring", "interview"} <= set(on_v2)
        for application in db.session.scalars(select(Application).where(Application.round_id == v2.id)):
            assert (application.workflow_version, application.form_version) == (2, 2)
            assert application.answers["short_description"] == answer(application, "summary")
            assert application.amount_requested_cents > 0


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


FUNDED = ("awarded", "award_offered", "active", "final_report_submitted", "closeout", "closed")


def test_the_demo_history_happens_in_order_and_in_the_past(demo_app):
    from grantflow.core.db import utcnow
    from grantflow.core.models import AuditEvent

    with demo_app.app_context():
        now = utcnow()
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert all(e.created_at <= now for e in events)
        by_application = {}
        for event in events:
            if event.application_id:
                by_application.setdefault(event.application_id, []).append(event.created_at)
        for moments in by_application.values():
            assert moments == sorted(moments)
        assert len({e.created_at.date() for e in events}) > 60            # spread over many days
        for application in db.session.scalars(select(Application)):
            round_ = application.round
            if application.submitted_at:
                assert round_.opens_at <= application.submitted_at <= round_.closes_at
                assert application.submitted_at.year in (round_.opens_at.year, round_.closes_at.year)


def test_demo_decisions_follow_the_ranking_and_the_budget(demo_app):
    from grantflow.funds.models import Round
    from grantflow.reviews.ranking import build_ranking

    with demo_app.app_context():
        for round_ in db.session.scalars(select(Round)):
            rows = build_ranking(round_, sort="raw", descending=True).rows
            decided = [r for r in rows if r.state in FUNDED + ("waitlisted", "declined")]
            funded = [r.stats.mean for r in decided if r.state in FUNDED]
            others = [r.stats.mean for r in decided if r.state not in FUNDED]
            if funded and others:
                assert min(funded) > max(others), round_.name
            requested = sum(r.amount_requested_cents for r in decided
                            if r.state in FUNDED)
            assert requested <= round_.budget_cents


def test_demo_reports_fall_due_after_acceptance_and_none_is_long_overdue(demo_app):
    from grantflow.awards.models import Award
    from grantflow.core.db import utcnow
    from grantflow.reporting.models import Report

    with demo_app.app_context():
        today = utcnow().date()
        for award in db.session.scalars(select(Award).where(Award.accepted_at.is_not(None))):
            reports = db.session.scalars(select(Report).where(Report.application_id == award.application_id)).all()
            assert reports and all(r.due_on > award.accepted_at.date() for r in reports)
            assert not [r for r in reports if r.is_overdue(today) and (today - r.due_on).days > 14]


def test_each_demo_grant_tells_its_own_story(demo_app):
    from grantflow.reporting.models import Report

    with demo_app.app_context():
        rows = db.session.execute(select(Report.application_id, Report.success_story)
                                  .where(Report.success_story.is_not(None))).all()
    stories_of = {}
    for application_id, story in rows:
        stories_of.setdefault(story, set()).add(application_id)
    assert len({app for apps in stories_of.values() for app in apps}) >= 5
    assert all(len(apps) == 1 for apps in stories_of.values())


def test_the_demo_command_prints_only_what_it_does(tmp_path):
    """`make demo` as a newcomer sees it: no log lines, no warnings, only its
    own steps and the logins (a second run over the same database: quick)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}", "GRANTFLOW_RATE_LIMITS": "0"}
    env.pop("REDIS_URL", None)
    run = subprocess.run([sys.executable, "-W", "default", "-c", "from grantflow.cli import main; main()",
                          "demo", "--no-serve"],
                         env=env, capture_output=True, text=True, timeout=300, cwd=os.path.dirname(os.path.dirname(
                             os.path.dirname(__file__))))
    assert run.returncode == 0, run.stderr
    lines = (run.stdout + run.stderr).splitlines()
    noisy = [line for line in lines if re.search(r"\b(INFO|WARNING|Warning|DEBUG)\b", line)]
    assert not noisy, noisy
    assert any("Demo logins" in line for line in lines)


def test_demo_mentor_network_has_a_closed_grantee_introduced_to_a_new_applicant(demo_app):
    from grantflow.core.workflow import meaning
    from grantflow.mentoring.models import MentorMatch, MentorProfile
    from grantflow.users.models import User

    with demo_app.app_context():
        introduced = db.session.scalars(select(MentorMatch).where(MentorMatch.status == "introduced")).all()
        assert introduced and introduced[0].conversations
        mentor_org = db.session.get(User, introduced[0].mentor_id).organisation_id
        assert db.session.scalar(select(func.count()).select_from(Application).where(
            Application.organisation_id == mentor_org, meaning.in_stages(Application, "completed")))
        assert db.session.scalar(select(func.count()).select_from(Application).where(
            Application.organisation_id == introduced[0].request.organisation_id,
            meaning.in_stages(Application, "preparing")))
        assert db.session.scalar(select(func.count()).select_from(MentorMatch)
                                 .where(MentorMatch.status == "proposed")) == 1
        assert db.session.scalar(select(func.count()).select_from(MentorProfile)) >= 3
