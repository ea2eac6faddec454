"""The pages that grow with the portfolio issue a fixed number of SQL queries
whatever its size (issue 8: the admin application list, the reviewer queue and
the dashboard; issue 13: a round's ranking, whose decisions are offered on every
row). Each page is measured with a few rows, then with many more."""
from __future__ import annotations

import pytest

from grantflow.core import outbox
from grantflow.extensions import cache, db
from tests.factories_portfolio import create_case, create_review
from tests.querycount import count_queries


def _queries(client, url: str) -> int:
    db.session.expire_all()
    cache.clear()  # both measurements compute the dashboard's figures
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def _add_cases(f, round_, reviewer, n: int) -> None:
    for i in range(n):
        state = ("in_review", "active", "declined", "submitted", "reviews_complete")[i % 5]
        application = create_case(round_, state=state, awarded=1_000_000 if state == "active" else None,
                                  paid=(400_000,) if state == "active" else (),
                                  themes=(("climate",), ("migration", "exchange"))[i % 2],
                                  organisation=f.create_organisation(state=("IA", "TX", "PR")[i % 3],
                                                                     applicant_type=("B", "C")[i % 2]))
        create_review(application, reviewer, 50 + i % 40)
    outbox.commit()  # and the calibration refresh it queues, before counting


@pytest.mark.parametrize("url, role", [
    ("/admin/applications", "admin"),
    ("/admin/applications?state=in_review&us_state=IA", "admin"),
    ("/admin/portfolio/", "admin"),
    ("/admin/portfolio/?theme=climate&applicant_type=B", "admin"),
    ("/reviews/", "reviewer"),
    ("/reviews/admin/rounds/{round}/ranking", "admin"),
])
def test_query_count_does_not_grow_with_the_portfolio(client, login_as, f, url, role):
    round_ = f.create_round()
    reviewer = f.create_user("reviewer", name="Queue Reviewer")
    user = reviewer if role == "reviewer" else f.create_user("admin")
    _add_cases(f, round_, reviewer, 3)
    login_as(user)
    url = url.format(round=round_.id)
    few = _queries(client, url)
    _add_cases(f, round_, reviewer, 40)
    assert _queries(client, url) == few
