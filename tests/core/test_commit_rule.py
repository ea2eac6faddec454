"""One way to refuse and to commit: a request commits unless an exception
escaped or the view said to roll back; the status code decides nothing."""
from flask import Response
from sqlalchemy import func, select

from grantflow.core import web
from grantflow.core.models import OutboxEmail
from grantflow.core.refusal import Refused
from grantflow.extensions import db
from grantflow.users import operations as user_operations


def _email(subject: str) -> OutboxEmail:
    email = OutboxEmail(recipient="someone@rule.example.gov", subject=subject, body_text="Hello.\n",
                        template="status_changed")
    db.session.add(email)
    db.session.flush()
    return email


def _kept(subject: str) -> bool:
    db.session.rollback()
    return db.session.scalar(select(func.count()).where(OutboxEmail.subject == subject)) == 1


def _finish_request(app, status: int, *, roll_back: bool) -> None:
    with app.test_request_context():
        _email(f"status {status}, roll back {roll_back}")
        if roll_back:
            web.roll_back_request()
        web._commit_or_rollback(Response(status=status))


def test_the_view_decides_whether_a_request_commits_never_the_status(app):
    for status in (200, 302, 404, 422):
        _finish_request(app, status, roll_back=False)
        _finish_request(app, status, roll_back=True)
        assert _kept(f"status {status}, roll back False")
        assert not _kept(f"status {status}, roll back True")


def test_a_refused_form_keeps_nothing_the_operation_wrote_and_answers_422(client, login_as, f, monkeypatch):
    def refuses_after_writing(actor, **kwargs):
        _email("written before the refusal")
        raise Refused("That address belongs to a retired mailbox.", "email")

    monkeypatch.setattr(user_operations, "invite_user", refuses_after_writing)
    login_as(f.create_user("admin"))
    response = client.post("/admin/users/invite", data={"name": "Pat Doe", "email": "pat@example.gov",
                                                        "roles": ["reviewer"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "That address belongs to a retired mailbox." in html and "Pat Doe" in html
    assert not _kept("written before the refusal")


def test_an_error_page_rolls_back(app):
    with app.test_request_context():
        _email("before an error page")
        web.error_page(409, "Changed meanwhile.")
        web._commit_or_rollback(Response(status=200))
    assert not _kept("before an error page")


def test_work_queued_for_after_the_response_runs_once_even_when_the_browser_resets_the_connection(app):
    """werkzeug's development server skips the response's close() when the
    connection is reset: its request handler runs the queued work instead,
    and a later close() does not run it again."""
    ran = []
    with app.test_request_context() as context:
        web.after_response(lambda: ran.append("job"))
        response = web._commit_or_rollback(Response(status=303))
        environ = context.request.environ
    web.RequestHandler.connection_dropped(None, ConnectionResetError(104, "Connection reset by peer"), environ)
    assert ran == ["job"]
    response.close()
    assert ran == ["job"]


def test_a_closed_response_runs_its_queued_work_once(app):
    ran = []
    with app.test_request_context() as context:
        web.after_response(lambda: ran.append("job"))
        response = web._commit_or_rollback(Response(status=200))
        environ = context.request.environ
    response.close()
    web.RequestHandler.connection_dropped(None, ConnectionResetError(), environ)
    assert ran == ["job"]
