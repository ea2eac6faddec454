"""A round's hub page: counts per state with the workflow's labels, the budget
committed, what needs doing (found by stage: the same on v1 and v2), and a
link to every round-level page of the URL map."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from grantflow.core.db import utcnow
from grantflow.core.workflow import get_definition
from grantflow.extensions import db

from tests import factories
from tests.factories_awards import create_award_directly
from tests.factories_reviews import create_assignment
from tests.workflow.scenarios import quick_user


@pytest.fixture
def admin(login_as):
    user = quick_user("admin")
    login_as(user)
    return user


def _states_in(version: int, stage: str) -> list[str]:
    return get_definition("local_to_global", version).states_in(stage)


def test_hub_counts_states_with_labels_and_lists_what_needs_doing(client, admin):
    round_ = factories.create_round(budget_cents=100_000_000, review_due_at=utcnow() - timedelta(days=1))
    received, = _states_in(1, "received")
    reviewing, = _states_in(1, "reviewing")
    for _ in range(2):
        factories.create_application(round_, state=received)
    under_review = factories.create_application(round_, state=reviewing)
    create_assignment(under_review, quick_user("reviewer"))  # one of three: short of reviewers, review overdue
    offered, = _states_in(1, "offered")
    create_award_directly(factories.create_application(round_), state=offered, amount_cents=30_000_000)
    db.session.commit()
    page = client.get(f"/admin/rounds/{round_.id}").text
    definition = get_definition("local_to_global", 1)
    for name, state in definition.states.items():
        assert f">{state.label}<" in page
    assert "To screen: 2" in page and "To assign: 1" in page and "Reviews overdue: 1" in page
    assert "Offers awaiting an answer: 1" in page
    assert "$300,000" in page and "$700,000" in page  # committed, left to award
    assert "Decisions:" not in page  # nothing in the deciding stage


def test_hub_of_a_v2_round_finds_its_work_by_stage(client, admin):
    round_ = factories.create_round(workflow_version=2, form_version=2)
    deciding = _states_in(2, "deciding")
    for name in deciding:
        factories.create_application(round_, state=name, form_version=2)
    db.session.commit()
    page = client.get(f"/admin/rounds/{round_.id}").text
    assert f"Decisions: {len(deciding)}" in page
    assert get_definition("local_to_global", 2).states[deciding[0]].label in page


def test_every_round_level_page_is_one_click_from_the_hub(app, client, admin):
    """Every GET page of the URL map about one round (a ``round_id`` in its URL,
    or a round filter) is linked from the hub (the JSON API is not a page)."""
    round_ = factories.create_round()
    db.session.commit()
    page = client.get(f"/admin/rounds/{round_.id}").text
    links = set(re.findall(r'href="([^"]+)"', page))
    paths = {link.split("?")[0] for link in links}
    round_pages = [rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and rule.arguments == {"round_id"} and rule.endpoint != "staff.round"
                   and not rule.rule.startswith(("/applications/", "/api/"))]  # the applicant's "start"; JSON
    assert round_pages, "the URL map has round pages"
    with app.test_request_context():
        from flask import url_for
        for rule in round_pages:
            assert url_for(rule.endpoint, round_id=round_.id) in paths, f"{rule.endpoint} is not linked from the hub"
    for expected in (f"/admin/applications?round={round_.id}", f"/admin/portfolio/?round_id={round_.id}",
                     f"/admin/funds/{round_.fund_id}/settings"):
        assert expected in {link.replace("&amp;", "&") for link in links}
