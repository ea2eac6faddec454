"""The API's behaviour for every caller (issue 18.3): published grants only, cursor
pagination that cannot be tampered with, ETags, problem+json errors and no 500 on bad input,
the rate limit, and the document and its reference page."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator

from grantflow.core.limits import limiter
from grantflow.extensions import db
from tests.factories_portfolio import create_case

from .helpers import seeded

PROBLEM = "application/problem+json"


def test_published_grants_are_accepted_awards_of_publishing_rounds_without_personal_data(client, f):
    portfolio = seeded()
    a, b = portfolio["apps"][:2]
    hidden_fund = f.create_fund(slug="quiet", name="Quiet Fund")  # does not publish
    create_case(f.create_round(hidden_fund), state="active", awarded=1_000_000, paid=(500_000,))
    db.session.commit()

    grants = client.get("/api/v1/grants").json["data"]
    assert sorted(g["reference"] for g in grants) == sorted([a.reference, b.reference])
    text = client.get("/api/v1/grants").text
    assert "Pat Representative" not in text and "@" not in text  # who accepted it, emails: never

    assert client.get(f"/api/v1/grants?fund_id={hidden_fund.id}").json["data"] == []
    portfolio["round"].settings = {"open_data": False}  # a round can opt out of its fund's publishing
    db.session.commit()
    assert client.get("/api/v1/grants").json["data"] == []


def test_pages_follow_the_cursor_and_a_tampered_cursor_is_400(client, f):
    fund = f.create_fund()
    for number in range(5):
        f.create_round(fund, name=f"Round {number}")
    db.session.commit()
    seen, url = [], f"/api/v1/rounds?fund_id={fund.id}&limit=2"
    first = client.get(url).json
    cursor = first["next_cursor"]
    seen += first["data"]
    while cursor:
        page = client.get(f"{url}&cursor={cursor}").json
        seen += page["data"]
        cursor = page["next_cursor"]
    assert len(seen) == 5 and len({r["id"] for r in seen}) == 5

    cursor = first["next_cursor"]
    for bad in (cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"), "not-a-cursor", "x" * 401):
        response = client.get(f"{url}&cursor={bad}")
        assert response.status_code == 400 and response.mimetype == PROBLEM, bad
    # a cursor of one list replayed with other filters is refused, not silently misapplied
    assert client.get(f"/api/v1/rounds?limit=2&cursor={cursor}").status_code == 400
    assert client.get(f"/api/v1/funds?limit=2&cursor={cursor}").status_code == 400


def test_etag_and_if_none_match(client, f):
    f.create_fund()
    db.session.commit()
    first = client.get("/api/v1/funds")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/funds", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    f.create_fund(slug="another", name="Another Fund")
    db.session.commit()
    changed = client.get("/api/v1/funds", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/funds/2147483648", 404),  # beyond PostgreSQL's integer ids: not a database error
    ("/api/v1/funds/9223372036854775808", 404),
    ("/api/v1/funds/99999999999999999999999999", 404),
    ("/api/v1/rounds/0", 404),
    ("/api/v1/rounds?fund_id=2147483648", 400),
    ("/api/v1/rounds?fund_id=9223372036854775808", 400),
    ("/api/v1/rounds?fund_id=-1", 400),
    ("/api/v1/rounds?fund_id=1.5", 400),
    ("/api/v1/rounds?fund_id=%00", 400),
    ("/api/v1/grants?limit=101", 400),
    ("/api/v1/grants?limit=", 400),
    ("/api/v1/grants?limit=%EF%BC%91", 400),  # a fullwidth digit
    ("/api/v1/funds?cursor=", 400),
    ("/api/v1/nowhere", 404),
])
def test_bad_input_is_a_problem_never_a_500(client, url, status):
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.mimetype == PROBLEM
    assert response.json["status"] == status and response.json["title"] and response.json["detail"]


def test_bad_filters_of_admin_lists_are_400(client, f, login_as):
    login_as(f.create_user("admin"))  # a signed-in browser session may read the API too
    for url in ("/api/v1/admin/applications?state=no_such_state", "/api/v1/admin/applications?state=Robert');",
                "/api/v1/admin/payments?status=lost", "/api/v1/admin/reports?state=x",
                "/api/v1/admin/awards?accepted=maybe"):
        response = client.get(url)
        assert response.status_code == 400 and response.mimetype == PROBLEM, url


@pytest.fixture
def api_limit(app):
    limiter.reset()
    app.config.update(RATE_LIMITS=True, RATELIMIT_API="3 per minute")
    yield
    app.config.update(RATE_LIMITS=False, RATELIMIT_API=None)
    limiter.reset()


def test_the_api_is_rate_limited_with_a_problem(client, api_limit):
    statuses = [client.get("/api/v1/funds").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/rounds")  # one limit shared by every endpoint
    assert response.status_code == 429 and response.mimetype == PROBLEM
    assert int(response.headers["Retry-After"]) > 0


def test_the_document_is_openapi_3_1_and_the_reference_page_is_built_from_it(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)  # the 3.1 meta-schema, not just the version string
    assert "/api/v1/grants" in document["paths"] and "/api/v1/admin/applications" in document["paths"]
    assert document["components"]["securitySchemes"]["personalToken"]["scheme"] == "bearer"
    page = client.get("/api/v1/reference")
    assert page.status_code == 200
    for path in document["paths"]:
        assert path in page.text
