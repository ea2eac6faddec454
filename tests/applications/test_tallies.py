"""The application tallies (database triggers) always agree with counting the applications."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from grantflow.applications import tallies
from grantflow.applications.models import Application, ApplicationTally
from grantflow.core import outbox
from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from grantflow.staff.queries import ApplicationFilters, count_matching


def _counted() -> dict:
    rows = db.session.execute(sa.select(Application.round_id, Application.state, sa.func.count())
                              .group_by(Application.round_id, Application.state))
    return {(r, s): n for r, s, n in rows}


def _tallied() -> dict:
    rows = db.session.execute(sa.select(ApplicationTally.round_id, ApplicationTally.state,
                                        sa.func.sum(ApplicationTally.delta))
                              .group_by(ApplicationTally.round_id, ApplicationTally.state))
    return {(r, s): n for r, s, n in rows if n}


def _tally_rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ApplicationTally))


@pytest.fixture
def two_rounds(f):
    first, second = f.create_round(name="First"), f.create_round(name="Second")
    apps = [f.create_application(first), f.create_application(first, state="submitted"),
            f.create_application(second, state="in_review")]
    return first, second, apps


def _move_state(rounds):
    rounds[2][0].state = "submitted"


def _move_round(rounds):
    rounds[2][0].round = rounds[1]


def _move_both(rounds):
    rounds[2][1].round, rounds[2][1].state = rounds[1], "eligible"


def _delete(rounds):
    db.session.delete(rounds[2][2])


def _edit_other_columns(rounds):
    rounds[2][0].title = "Renamed"


def _same_state(rounds):
    rounds[2][0].state = rounds[2][0].state


def _core_update(rounds):
    db.session.execute(sa.update(Application).where(Application.round_id == rounds[0].id)
                       .values(state="withdrawn"))


def _core_insert(rounds):
    template = rounds[2][0]
    db.session.execute(sa.insert(Application), [
        {"round_id": rounds[1].id, "organisation_id": template.organisation_id, "workflow_key": "local_to_global",
         "workflow_version": 1, "state": state, "form_key": "local_to_global", "form_version": 1,
         "answers": {}, "themes": []} for state in ("draft", "draft", "submitted")])


def _core_delete(rounds):
    db.session.execute(sa.delete(Application).where(Application.state == "submitted"))


CHANGES = {
    "state changed": (_move_state, 2),
    "round changed": (_move_round, 2),
    "round and state changed": (_move_both, 2),
    "deleted": (_delete, 1),
    "other columns edited": (_edit_other_columns, 0),
    "state set to itself": (_same_state, 0),
    "plain SQL update of many": (_core_update, 4),
    "plain SQL bulk insert": (_core_insert, 3),
    "plain SQL delete": (_core_delete, 1),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_kind_of_change_keeps_the_tallies_exact(two_rounds, change):
    make_change, new_rows = CHANGES[change]
    db.session.flush()
    before = _tally_rows()
    assert _tallied() == _counted()
    make_change(two_rounds)
    db.session.flush()
    assert _tallied() == _counted()
    assert _tally_rows() - before == new_rows


def test_a_rolled_back_change_leaves_no_tally(two_rounds):
    outbox.commit()
    committed = _tallied()
    two_rounds[2][0].state = "withdrawn"
    db.session.flush()
    db.session.rollback()
    assert _tallied() == committed == _counted()


def test_compaction_folds_to_one_row_per_round_and_state_and_drops_zeros(f, two_rounds):
    first, second, apps = two_rounds
    apps[0].state = "submitted"
    db.session.flush()
    db.session.delete(apps[2])  # "second" is now empty: its rows sum to zero
    db.session.flush()
    counted = _counted()
    assert _tally_rows() == 6
    assert tallies.compact() == 6
    assert _tally_rows() == len(counted) == 1
    assert _tallied() == counted == {(first.id, "submitted"): 2}


@pytest.mark.parametrize("filters", [{}, {"round": "first"}, {"state": "submitted"},
                                     {"round": "first", "state": "draft"}, {"round": "second", "state": "draft"}],
                         ids=["all", "round", "state", "round and state", "none match"])
def test_the_list_count_from_tallies_matches_counting(two_rounds, filters):
    rounds = {"first": two_rounds[0].id, "second": two_rounds[1].id}
    args = {k: str(rounds[v]) if k == "round" else v for k, v in filters.items()}
    parsed = ApplicationFilters.from_args(args)
    query = sa.select(sa.func.count()).select_from(Application)
    if parsed.round_id is not None:
        query = query.where(Application.round_id == parsed.round_id)
    if parsed.state:
        query = query.where(Application.state == parsed.state)
    assert count_matching(parsed) == db.session.scalar(query)


def test_a_long_tally_queues_one_compaction_which_folds_it(two_rounds, monkeypatch, client, login_as, f):
    monkeypatch.setattr(tallies, "COMPACT_AFTER", 2)
    monkeypatch.setattr(tallies, "_last_queued", [-1e9])
    two_rounds[2][0].state = "submitted"  # a -1 and a +1: five rows for two pairs
    login_as(f.create_user("admin"))
    assert _tally_rows() == 5
    for _ in range(2):  # the second view is within the interval: no second job
        assert client.get("/admin/applications").status_code == 200
    jobs = db.session.scalars(sa.select(BackgroundJob).where(BackgroundJob.task == tallies.COMPACT_TASK)).all()
    assert [(job.status, job.result) for job in jobs] == [("done", {"folded": 5})]
    assert _tally_rows() == len(_counted()) == 2 and _tallied() == _counted()


def test_the_staff_list_shows_the_tallied_total(two_rounds, client, login_as, f):
    login_as(f.create_user("admin"))
    page = client.get(f"/admin/applications?round={two_rounds[0].id}").get_data(as_text=True)
    assert "of 2 applications" in page
