"""The 403, 404, 405, 409 and 500 pages say what happened and what to do next."""
from __future__ import annotations

import pytest
from flask import abort

from grantflow.core.workflow import ConcurrentChange


@pytest.fixture
def failing_client(make_app):
    """An app with routes that fail on purpose, rendering errors as in production."""
    app = make_app(PROPAGATE_UNEXPECTED=False)

    def crash():
        raise RuntimeError("boom")

    def conflict():
        raise ConcurrentChange()

    def refused():
        abort(403, "Only the lead reviewer can close the panel.")

    app.add_url_rule("/_test/crash", "crash", crash)
    app.add_url_rule("/_test/conflict", "conflict", conflict)
    app.add_url_rule("/_test/refused", "refused", refused)
    return app.test_client()


@pytest.mark.parametrize("path, status, title, text", [
    ("/_test/crash", 500, "Something went wrong", "It has been logged; nothing was saved."),
    ("/_test/conflict", 409, "This changed while you were looking at it", "Reload the page"),
    ("/_test/refused", 403, "You do not have access to this page", "Only the lead reviewer can close the panel."),
    ("/no/such/page", 404, "Page not found", "Check the address for typing mistakes."),
    ("/logout", 405, "Method not allowed", "This page cannot be used that way."),
])
def test_error_pages_explain_and_offer_a_way_on(failing_client, path, status, title, text):
    response = failing_client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert f"<title>{title} ·" in page and f"<h1>{title}</h1>" in page
    assert text in page and f"Error {status}." in page
    assert 'href="/">Go to your home page</a>' in page
    assert "Traceback" not in page and "boom" not in page


def test_403_gives_the_policy_s_reason_in_plain_words_and_names_the_account(client, f, login_as):
    login_as(f.create_user("applicant", email="pat@city.gov"))
    response = client.get("/admin/users")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Only fund staff can open this page." in page and "signed in as pat@city.gov" in page
    assert "read-protected" not in page  # werkzeug's wording, meant for developers

