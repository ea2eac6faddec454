"""Personal API tokens (issue 18.3): made and revoked on the account page, shown once, stored
hashed, read-only, last use noted; the pages' access policy through a token."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from grantflow.api.models import ApiToken
from grantflow.extensions import db
from tests.conftest import csrf_token_from, login

from .helpers import bearer, seeded, token_through_the_page


def test_a_token_is_shown_once_stored_hashed_and_notes_its_last_use(client, f):
    user = f.create_applicant()
    secret = token_through_the_page(client, user, "Monthly report")
    token = db.session.scalars(select(ApiToken)).one()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in token.token_hash
    assert token.scope == "read" and token.last_used_at is None and len(secret) > 40

    assert client.get("/api/v1/my/applications", headers=bearer(secret)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None

    login(client, user)
    page = client.get("/account/api-tokens").text
    assert "Monthly report" in page and secret not in page and secret[:10] in page


def test_a_revoked_token_fails_with_401(client, f):
    user = f.create_applicant()
    secret = token_through_the_page(client, user)
    token = db.session.scalars(select(ApiToken)).one()
    login(client, user)
    page = client.get("/account/api-tokens")
    response = client.post(f"/account/api-tokens/{token.id}/revoke", data={"csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 302
    client.post("/logout")
    client.delete_cookie("session")

    response = client.get("/api/v1/my/applications", headers=bearer(secret))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer gf_not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000])
def test_a_bad_authorization_header_is_401_even_for_public_data(client, header):
    response = client.get("/api/v1/funds", headers={"Authorization": header})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_an_applicants_token_sees_its_own_organisation_only(client):
    portfolio = seeded()
    own, other = portfolio["apps"][0], portfolio["apps"][2]
    secret = token_through_the_page(client, portfolio["applicant"])

    mine = client.get("/api/v1/my/applications", headers=bearer(secret))
    assert mine.status_code == 200
    assert {row["id"] for row in mine.json["data"]} == {own.id, portfolio["apps"][4].id}  # a and the draft e

    detail = client.get(f"/api/v1/my/applications/{own.id}", headers=bearer(secret))
    assert detail.status_code == 200 and detail.json["status"] == own.state_label_for_applicant
    assert isinstance(detail.json["timeline"], list)

    # another organisation's application does not exist for it (the very answer of a missing id);
    # admin endpoints are forbidden
    hidden = client.get(f"/api/v1/my/applications/{other.id}", headers=bearer(secret))
    missing = client.get("/api/v1/my/applications/999999", headers=bearer(secret))
    assert hidden.status_code == missing.status_code == 404
    assert {**hidden.json, "instance": None} == {**missing.json, "instance": None}
    for path in ("applications", f"applications/{own.id}", "awards", "payments", "reports"):
        response = client.get(f"/api/v1/admin/{path}", headers=bearer(secret))
        assert response.status_code == 403, path
        assert response.mimetype == "application/problem+json"


def test_an_admin_token_reads_applications_with_raw_and_calibrated_scores(client):
    portfolio = seeded()
    a = portfolio["apps"][0]
    secret = token_through_the_page(client, portfolio["admin"])
    response = client.get(f"/api/v1/admin/applications?round_id={portfolio['round'].id}", headers=bearer(secret))
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json["data"]}
    assert len(rows) == 5
    assert rows[a.id]["scores"]["reviews_submitted"] == 2
    assert rows[a.id]["scores"]["raw_mean"] == pytest.approx((82.5 + 78.0) / 2)
    assert rows[a.id]["scores"]["calibrated"] is not None
    assert rows[a.id]["state"] == a.state and rows[a.id]["stage"] == "funded"

    declined = client.get(f"/api/v1/admin/applications?state={portfolio['apps'][2].state}", headers=bearer(secret))
    assert [row["id"] for row in declined.json["data"]] == [portfolio["apps"][2].id]
    assert client.get("/api/v1/admin/payments?status=paid", headers=bearer(secret)).json["data"]
    assert client.get("/api/v1/admin/reports?state=accepted", headers=bearer(secret)).json["data"]
    awards = client.get("/api/v1/admin/awards?accepted=false", headers=bearer(secret)).json["data"]
    assert [row["application_id"] for row in awards] == [portfolio["apps"][3].id]  # the declined offer


def test_token_requests_need_no_csrf_and_cannot_write(client, f):
    secret = token_through_the_page(client, f.create_user("admin"))
    response = client.post("/api/v1/admin/applications", headers=bearer(secret))
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert "POST" not in response.headers["Allow"]


def test_a_deactivated_accounts_token_fails_and_tokens_are_limited_per_person(client, f):
    from grantflow.api.operations import MAX_ACTIVE_TOKENS, create_token
    from grantflow.core.refusal import Refused

    user = f.create_applicant()
    secret = token_through_the_page(client, user)
    for number in range(MAX_ACTIVE_TOKENS - 1):
        create_token(user, f"Script {number}")
    with pytest.raises(Refused):
        create_token(user, "One too many")
    user.is_active_account = False
    db.session.commit()
    assert client.get("/api/v1/my/applications", headers=bearer(secret)).status_code == 401
