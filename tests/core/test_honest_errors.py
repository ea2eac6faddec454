"""Error pages tell the truth about what was saved, and Redis being down never
turns a saved change into an error."""
from __future__ import annotations

import socket

import pytest
from flask import Blueprint

from grantflow.core import outbox
from grantflow.awards.models import Letter
from grantflow.extensions import db
from tests import factories_awards as fa
from tests import factories, factories_reviews as fr


def closed_port_redis_url() -> str:
    """A Redis URL where nothing listens: Redis "down" without stopping anyone's Redis."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/6"


@pytest.fixture
def redis_down(app):
    app.config.update(REDIS_URL=closed_port_redis_url(), MAIL_SERVER="smtp.invalid")
    yield
    app.config.update(REDIS_URL=None, MAIL_SERVER=None)


def test_sending_an_award_letter_with_redis_down_succeeds_and_leaves_the_job_queued(f, client, login_as,
                                                                                   redis_down):
    application, _, _, admin = fa.create_awarded_application()
    login_as(admin)

    response = client.post(f"/admin/awards/{application.id}/send")

    assert response.status_code == 302
    db.session.expire_all()
    letter = db.session.scalar(db.select(Letter).where(Letter.application_id == application.id))
    assert letter.job.status == "queued" and letter.job.enqueued_at is None  # the dispatcher hands it over later


def test_submitting_a_review_with_redis_down_succeeds(f, client, login_as, redis_down):
    round_ = f.create_round(reviews_per_application=1)
    application = fr.create_in_review(round_)
    reviewer = fr.create_reviewer()
    assignment = fr.create_assignment(application, reviewer)
    login_as(reviewer)
    data = {f"score_{c}": "4" for c in ("clarity", "benefit", "partnerships", "feasibility", "success")}
    data.update(recommendation="fund", overall_comment="Strong.", action="submit")

    response = client.post(f"/reviews/assignments/{assignment.id}", data=data)

    assert response.status_code == 302
    db.session.expire_all()
    assert assignment.review.is_submitted


def _failing_app(make_app, database_url: str):
    """An app with two routes that fail: one before the commit, one after it."""
    failing = Blueprint("failing", __name__)

    def after_commit_step():
        raise RuntimeError("the step after the commit broke")

    @failing.post("/test/fails-before-commit")
    def before_commit():
        factories_user_row()
        raise RuntimeError("broke before saving")

    @failing.post("/test/fails-after-commit")
    def after_commit():
        factories_user_row()
        outbox.on_commit(after_commit_step)
        return "saved"

    app = make_app(PROPAGATE_UNEXPECTED=False, PROPAGATE_EXCEPTIONS=False, SQLALCHEMY_DATABASE_URI=database_url)
    app.register_blueprint(failing)
    return app


def factories_user_row():
    from tests import factories

    factories.create_organisation(name="Saved Or Not County")


@pytest.mark.parametrize("path, saved", [("/test/fails-before-commit", False), ("/test/fails-after-commit", True)])
def test_the_error_page_says_whether_the_change_was_saved(app, make_app, path, saved):
    from grantflow.organisations.models import Organisation

    failing = _failing_app(make_app, app.config["SQLALCHEMY_DATABASE_URI"])
    with failing.app_context():
        response = failing.test_client().post(path)
        db.session.remove()
        db.engine.dispose()

    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert ("nothing was saved" in page) is not saved
    assert ("Your change was saved" in page) is saved
    stored = db.session.scalar(db.select(Organisation).where(Organisation.name == "Saved Or Not County"))
    assert (stored is not None) is saved


def test_an_expired_form_token_gives_the_typed_text_back_in_its_form(app, client, login_as, monkeypatch):
    """Every form (here: a review) comes back filled in, unsaved (users.kept)."""
    round_ = factories.create_round(reviews_per_application=1)
    application = fr.create_in_review(round_)
    reviewer = fr.create_reviewer()
    assignment = fr.create_assignment(application, reviewer)
    login_as(reviewer)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    response = client.post(f"/reviews/assignments/{assignment.id}", data={
        "csrf_token": "stale", "score_clarity": "4", "overall_comment": "An hour of careful reading\nand notes",
        "action": "submit"}, follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'role="alert" id="kept-notice"' in page
    assert "not saved" in page and "An hour of careful reading\nand notes</textarea>" in page
    db.session.expire_all()
    assert assignment.review is None
