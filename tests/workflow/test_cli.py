"""``grantflow funds create|list`` and ``grantflow rounds create|list|show``:
a fund and a round made from the command line, audited; bad values refused
with the option to fix, nothing stored."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grantflow.core.models import AuditEvent
from grantflow.extensions import db
from grantflow.funds.models import Fund, Round

GOOD = ["rounds", "create", "--fund", "l2g", "--name", "2027 round", "--workflow", "local_to_global:2",
        "--form", "local_to_global:2", "--rubric", "local_to_global:1", "--opens", "2027-01-15T09:00",
        "--closes", "2027-03-31T17:00", "--timezone", "America/New_York", "--budget", "3,000,000"]


def _with(option: str, value: str) -> list[str]:
    args = list(GOOD)
    args[args.index(option) + 1] = value
    return args


@pytest.fixture
def fund(runner):
    result = runner.invoke(args=["funds", "create", "l2g", "--name", "Local-to-Global Engagement Fund"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Fund).where(Fund.slug == "l2g"))


def test_a_fund_and_a_round_from_the_command_line(runner, fund):
    result = runner.invoke(args=GOOD)
    assert result.exit_code == 0, result.output
    round_ = db.session.get(Round, int(result.output.strip()))
    assert (round_.workflow_key, round_.workflow_version, round_.form_version, round_.rubric_version) == \
        ("local_to_global", 2, 2, 1)
    assert round_.opens_at.hour == 14 and round_.budget_cents == 300_000_000  # 09:00 in New York is 14:00 UTC
    assert round_.settings["timezone"] == "America/New_York"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"fund.created", "round.created"} <= actions
    listed = runner.invoke(args=["rounds", "list"]).output
    assert f"{round_.id}\tl2g\t2027 round\tworkflow local_to_global:2\tform local_to_global:2" in listed
    assert "rubric local_to_global:1" in listed
    assert "l2g\tLocal-to-Global Engagement Fund\t1 round(s)" in runner.invoke(args=["funds", "list"]).output
    shown = runner.invoke(args=["rounds", "show", str(round_.id)]).output
    assert "time zone America/New_York" in shown and "$3,000,000.00" in shown


@pytest.mark.parametrize("option, value, message", [
    ("--workflow", "local_to_global:9", "There is no workflow local_to_global version 9"),
    ("--workflow", "local_to_global", "Name the workflow as KEY:VERSION"),
    ("--form", "local_to_global:7", "There is no application form local_to_global version 7"),
    ("--rubric", "nope:1", "There is no rubric nope version 1"),
    ("--opens", "2027-01-15", "Give the opens date and time as YYYY-MM-DDTHH:MM"),
    ("--closes", "2027-01-01T09:00", "The round must close after it opens. (--closes)"),
    ("--timezone", "Mars/Base", "“Mars/Base” is not a time zone"),
    ("--budget", "lots", "The budget must be an amount in US dollars"),
    ("--budget", "-5", "The budget must be a positive amount"),
    ("--fund", "nobody", "There is no fund “nobody”"),
])
def test_bad_values_are_refused_and_nothing_is_stored(runner, fund, option, value, message):
    result = runner.invoke(args=_with(option, value))
    assert result.exit_code != 0 and message in result.output, result.output
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_a_fund_slug_is_taken_once(runner, fund):
    again = runner.invoke(args=["funds", "create", "l2g", "--name", "Other"])
    assert again.exit_code != 0 and "already exists" in again.output
    bad = runner.invoke(args=["funds", "create", "L2G!", "--name", "Other"])
    assert bad.exit_code != 0 and "lower-case letters, digits and hyphens" in bad.output
