"""The whole lifecycle on workflow and form v1 and on v2 (renamed states and
fields, an interview before the award) in the same database, then every
export of both; and on a copy of v1 whose every state and trigger is renamed
(made here, not shipped), run through the operations."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml
from openpyxl import load_workbook
from sqlalchemy import select

from grantflow.core.models import AuditEvent
from grantflow.core import outbox
from grantflow.extensions import db
from grantflow.portfolio.exports import FORMATS, run_export
from grantflow.portfolio.filters import PortfolioFilters
from tests.portfolio.reference_schema import reference_errors
from tests import factories
from tests.factories_reviews import create_reviewer
from tests.meaning.lifecycle import live_through

ROOT = Path(__file__).resolve().parents[2]


def _panel(count=3):
    return [create_reviewer(expertise=("climate",), name=f"Reviewer {n}") for n in range(count)]


def test_v1_and_v2_run_side_by_side_and_every_export_is_valid(tmp_path):
    admin = factories.create_user("admin")
    _panel()
    fund = factories.create_fund()
    v1 = factories.create_round(fund, name="2026 round", workflow_version=1, form_version=1)
    v2 = factories.create_round(fund, name="2027 round", workflow_version=2, form_version=2)
    outbox.commit()
    old = live_through(v1, admin, title="Sister-city climate exchange")
    new = live_through(v2, admin, title="Trade mission to Monterrey")

    assert (old.workflow_version, old.form_version, old.state) == (1, 1, "closed")
    assert (new.workflow_version, new.form_version, new.state) == (2, 2, "grant_closed")
    assert "project_summary" in old.answers and "short_description" in new.answers
    interviewed = db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.application_id == new.id, AuditEvent.action == "workflow.invite_interview"))
    assert interviewed is not None  # v2's interview came before the award

    paths = {}
    for name, fmt in FORMATS.items():
        paths[name] = tmp_path / f"export-{name}.{fmt.extension}"
        result = run_export(name, paths[name], PortfolioFilters())
        assert paths[name].stat().st_size > 0 and result.rows == 2, name
    with open(paths["csv"], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 and all(row["Amount requested (USD)"] for row in rows)
    package = json.loads(paths["360giving"].read_text(encoding="utf-8"))
    assert reference_errors(package) == []
    descriptions = {g["title"]: g["description"] for g in package["grants"]}
    assert descriptions["Trade mission to Monterrey"].startswith("City of Testville will work with Monterrey")
    assert descriptions["Sister-city climate exchange"].startswith("City of Testville will work with Monterrey")
    assert all(g["plannedDates"] and g["amountAppliedFor"] == 80000 for g in package["grants"])
    assert load_workbook(paths["xlsx"]).active.max_row == 3  # a header and the two applications
    assert load_workbook(paths["360giving-xlsx"])["grants"].max_row == 3


def _renamed_v1(directory: Path) -> dict[str, str]:
    """A copy of v1 with every state and trigger renamed; returns old -> new state names."""
    data = yaml.safe_load((ROOT / "workflows" / "local_to_global.v1.yaml").read_text())
    names = {name: f"etat_{n}" for n, name in enumerate(data["states"])}
    data["states"] = {names[name]: spec for name, spec in data["states"].items()}
    data["initial"] = names[data["initial"]]
    for n, move in enumerate(data["transitions"]):
        move["trigger"] = f"geste_{n}"
        sources = move["source"] if isinstance(move["source"], list) else [move["source"]]
        move["source"], move["dest"] = [names[s] for s in sources], names[move["dest"]]
    (directory / "local_to_global.v1.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return names


def test_a_copy_of_v1_with_every_state_renamed_runs_the_lifecycle(tmp_path, make_app):
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    names = _renamed_v1(workflows)
    other = make_app(WORKFLOWS_DIR=workflows)
    with other.app_context():
        db.create_all()
        try:
            admin = factories.create_user("admin")
            _panel()
            round_ = factories.create_round(workflow_version=1, form_version=1)
            outbox.commit()
            application = live_through(round_, admin, title="Renamed but whole")
            assert application.state == names["closed"]
            assert application.state not in yaml.safe_load(
                (ROOT / "workflows" / "local_to_global.v1.yaml").read_text())["states"]
        finally:
            db.session.rollback()
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
            db.session.commit()
            db.session.remove()
