"""Shared set-up of the API tests: tokens made through the account page, and a seeded portfolio."""
from __future__ import annotations

import re

from grantflow.extensions import db
from tests import factories as f
from tests.conftest import csrf_token_from, login
from tests.factories_portfolio import create_portfolio, create_review


def token_through_the_page(client, user, name: str = "Script") -> str:
    """Signs ``user`` in, creates a token on /account/api-tokens, signs out; returns the secret shown once."""
    db.session.commit()
    client.post("/logout")
    login(client, user)
    page = client.get("/account/api-tokens")
    response = client.post("/account/api-tokens", data={"name": name, "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 200, response.text
    secret = re.search(r'id="new-token"[^>]*value="([^"]+)"', response.text).group(1)
    client.post("/logout")
    client.delete_cookie("session")
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def seeded():
    """create_portfolio() (two accepted grants, a declined offer, a draft...) in a fund that publishes,
    a second reviewer (so calibration has something to fit), an admin and an applicant of grant a's organisation."""
    portfolio = create_portfolio()
    portfolio["fund"].settings = {"open_data": True}
    second = f.create_user("reviewer", name="Second Reviewer")
    a, b, c = portfolio["apps"][:3]
    for application, score in ((a, 78.0), (b, 70.0), (c, 45.0)):
        create_review(application, second, score)
    portfolio["admin"] = f.create_user("admin", name="Api Admin")
    portfolio["applicant"] = f.create_applicant(a.organisation, name="Api Applicant")
    portfolio["other_applicant"] = f.create_applicant(c.organisation, name="Other Api Applicant")
    db.session.commit()
    return portfolio
