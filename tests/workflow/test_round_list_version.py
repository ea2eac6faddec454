"""The round list's version counts every change to what lists of rounds show, in
every process (database triggers), so the staff list's kept rounds are never stale."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from grantflow.core import outbox
from grantflow.extensions import db
from grantflow.funds import round_list
from grantflow.funds.models import Round
from tests.querycount import count_queries


def _version() -> tuple:
    return tuple(db.session.execute(sa.select(*round_list.version_subqueries())).one())


def _sql(statement: str, **params):
    return lambda round_: db.session.execute(sa.text(statement), {"id": round_.id, **params})


CHANGES = {
    "round added": (lambda round_: db.session.add(Round(
        fund=round_.fund, name="Autumn", opens_at=round_.opens_at, closes_at=round_.closes_at,
        workflow_key=round_.workflow_key, workflow_version=1, form_key=round_.form_key)), True),
    "round deleted": (_sql("DELETE FROM rounds WHERE id = :id"), True),
    "round renamed": (lambda round_: setattr(round_, "name", "Spring (extended)"), True),
    "round renamed in plain SQL": (_sql("UPDATE rounds SET name = 'Late' WHERE id = :id"), True),
    "opening date moved": (lambda round_: setattr(round_, "opens_at", round_.opens_at - timedelta(days=1)), True),
    "workflow version changed": (_sql("UPDATE rounds SET workflow_version = 2 WHERE id = :id"), True),
    "fund renamed": (lambda round_: setattr(round_.fund, "name", "Renamed fund"), True),
    "budget changed": (lambda round_: setattr(round_, "budget_cents", 1), False),
    "description changed": (lambda round_: setattr(round_, "description", "Longer text"), False),
    "name set to itself": (_sql("UPDATE rounds SET name = name WHERE id = :id"), False),
    "fund described": (lambda round_: setattr(round_.fund, "description", "About us"), False),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_what_lists_of_rounds_show_changes_the_version(f, change):
    make_change, changes_version = CHANGES[change]
    round_ = f.create_round(name="Spring")
    outbox.commit()
    before = _version()
    make_change(round_)
    db.session.flush()
    assert (_version() != before) is changes_version


def test_the_list_reuses_its_rounds_until_another_process_changes_them(client, login_as, f):
    round_ = f.create_round(name="Spring")
    f.create_application(round_)
    login_as(f.create_user("admin"))
    assert ": Spring</option>" in client.get("/admin/applications").get_data(as_text=True)
    with count_queries() as statements:
        client.get("/admin/applications")
    assert not any("FROM rounds JOIN funds" in s for s in statements)  # kept
    # another process renames it with plain SQL: the next page shows the new name
    db.session.execute(sa.text("UPDATE rounds SET name = 'Spring (extended)' WHERE id = :id"), {"id": round_.id})
    outbox.commit()
    html = client.get("/admin/applications").get_data(as_text=True)
    assert ": Spring (extended)</option>" in html and ": Spring</option>" not in html


def test_an_empty_list_reads_the_rounds_afresh(client, login_as, f):
    f.create_round(name="Spring")
    login_as(f.create_user("admin"))
    assert ": Spring</option>" in client.get("/admin/applications").get_data(as_text=True)
    db.session.execute(sa.update(Round).values(name="Summer"))
    outbox.commit()
    assert ": Summer</option>" in client.get("/admin/applications").get_data(as_text=True)



def test_a_rolled_back_change_and_a_later_one_never_share_a_version(f):
    round_ = f.create_round(name="Spring")
    outbox.commit()
    round_.name = "Never committed"
    db.session.flush()
    seen_inside = _version()  # what a page rendered inside that transaction would have kept its rounds under
    db.session.rollback()
    db.session.execute(sa.text("UPDATE rounds SET name = 'Summer' WHERE id = :id"), {"id": round_.id})
    outbox.commit()
    assert _version() != seen_inside and _version()[0] == seen_inside[0]
