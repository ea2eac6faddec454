"""``grantflow export`` and ``grantflow seed --synthetic``."""
from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import func, select

from grantflow.applications.models import Application
from grantflow.awards.models import Award
from grantflow.cli import cli
from grantflow.extensions import db
from grantflow.funds.models import Fund, Round
from tests.portfolio.reference_schema import reference_errors
from grantflow.reporting.models import Disbursement, Report
from grantflow.reviews.models import Review
from tests.factories_portfolio import create_portfolio


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "360giving", "360giving-xlsx", "pdf"])
def test_export_writes_every_format(runner, tmp_path, fmt):
    create_portfolio()
    db.session.commit()
    out = tmp_path / f"portfolio.{fmt}"
    result = runner.invoke(cli, args=["export", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and "Wrote" in result.output


def test_export_filters_from_the_command_line(runner, tmp_path):
    made = create_portfolio()
    db.session.commit()
    out = tmp_path / "p.csv"
    result = runner.invoke(cli, args=["export", "--format", "csv", "--out", str(out), "--round", str(made["round"].id),
                                 "--state", "ia", "--theme", "climate", "--workflow-state", "active",
                                 "--year", "2025", "--applicant-type", "C"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["Organization"] for r in rows] == ["City of Des Moines"]


@pytest.mark.parametrize("args, message", [
    (["--state", "ZZ"], "--state: “ZZ” is not a US state or territory code"),
    (["--round", "999"], "--round: There is no round 999."),
    (["--year", "twenty"], "--year: “twenty” is not a whole number."),
    (["--workflow-state", "limbo"], "--workflow-state: “limbo” is not a workflow state"),
    (["--format", "docx"], "Invalid value for '--format'"),
])
def test_bad_input_is_a_clear_error_not_a_traceback(runner, tmp_path, args, message):
    base = ["export", "--out", str(tmp_path / "x.csv")] + ([] if "--format" in args else ["--format", "csv"])
    result = runner.invoke(cli, args=base + args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.csv").exists()


def test_export_with_nothing_to_publish_says_why(runner, tmp_path, f):
    f.create_application(state="submitted")
    db.session.commit()
    result = runner.invoke(cli, args=["export", "--format", "360giving", "--out", str(tmp_path / "g.json")])
    assert result.exit_code == 1 and "No accepted grants match these filters" in result.output


def test_export_to_a_missing_folder_is_refused(runner, tmp_path):
    result = runner.invoke(cli, args=["export", "--format", "csv", "--out", str(tmp_path / "nowhere" / "p.csv")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_seed_synthetic_creates_a_consistent_portfolio(runner, tmp_path):
    result = runner.invoke(cli, args=["seed", "--synthetic", "600", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Application.id))) == 600
    for model in (Review, Award, Disbursement, Report):
        assert db.session.scalar(select(func.count(model.id))) > 0, model.__name__
    # awards never exceed the amount requested, payments never exceed the award
    over = db.session.scalar(select(func.count(Award.id)).join(Application, Application.id == Award.application_id)
                             .where(Award.amount_cents > Application.amount_requested_cents))
    assert over == 0
    paid = (select(Disbursement.application_id, func.sum(Disbursement.amount_cents).label("paid"))
            .group_by(Disbursement.application_id).subquery())
    assert db.session.scalar(select(func.count()).select_from(paid).join(Award, Award.application_id ==
                                                                          paid.c.application_id)
                             .where(paid.c.paid > Award.amount_cents)) == 0
    out = tmp_path / "g.json"
    assert runner.invoke(cli, args=["export", "--format", "360giving", "--out", str(out)]).exit_code == 0
    assert reference_errors(json.loads(out.read_text())) == []


def test_seed_is_deterministic_and_never_merges(runner):
    first = runner.invoke(cli, args=["seed", "--synthetic", "250", "--seed", "3", "--fund-slug", "one"])
    second = runner.invoke(cli, args=["seed", "--synthetic", "250", "--seed", "3", "--fund-slug", "two"])
    assert first.exit_code == second.exit_code == 0
    totals = [db.session.scalar(select(func.sum(Application.amount_requested_cents))
                                .join(Round, Round.id == Application.round_id).join(Fund, Fund.id == Round.fund_id)
                                .where(Fund.slug == slug)) for slug in ("one", "two")]
    assert totals[0] == totals[1] and totals[0] > 0
    again = runner.invoke(cli, args=["seed", "--synthetic", "10", "--fund-slug", "one"])
    assert again.exit_code == 1 and "already exists" in again.output
