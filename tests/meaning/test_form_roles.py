"""Application forms declare the roles of the answers other parts read;
``grantflow forms check`` refuses a form without one, with the file, the line
and what to add; answers are found by role whatever a question is called."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from grantflow import discovery
from grantflow.core.formdefs import fieldtypes
from grantflow.core.formdefs.registry import check_files

V1 = (Path(__file__).resolve().parents[2] / "forms" / "applications" / "local_to_global.v1.yaml").read_text()


@pytest.fixture(scope="module", autouse=True)
def hooks():
    discovery.import_all_hooks()


def _check(tmp_path, text: str) -> list[str]:
    folder = tmp_path / "applications"
    folder.mkdir(exist_ok=True)
    path = folder / "local_to_global.v9.yaml"
    path.write_text(text.replace("version: 1\n", "version: 9\n", 1))
    return check_files([path])[path]


BROKEN = [(f"role: {role}", "", f"no question has 'role: {role}': GrantFlow needs")
          for role in fieldtypes.REQUIRED_ROLES["applications"]] + [
    ("role: summary", "role: sumary", "unknown role 'sumary' (did you mean 'summary'?)"),
    ("role: start_date", "role: requested_amount", "role 'requested_amount' needs a money field, not date"),
    ("role: end_date", "role: start_date", "'project_start' and 'project_end' both have 'role: start_date'"),
    ("{id: jobs_created, type: number", "{id: jobs_made, type: number",
     "'jobs_made' is not a metric GrantFlow knows"),
]


@pytest.mark.parametrize("old, new, expected", BROKEN)
def test_a_form_missing_what_grantflow_reads_is_refused(tmp_path, old, new, expected):
    assert old in V1
    problems = _check(tmp_path, V1.replace(old, new, 1) if new else _drop_role(V1, old))
    matching = [p for p in problems if expected in p]
    assert matching, problems
    assert ".yaml:" in matching[0] and matching[0].split(".yaml:")[1].split(":")[0].isdigit()


def _drop_role(text: str, role: str) -> str:
    """Remove ``role: X`` whether it is on its own line or inside a one-line field."""
    return re.sub(rf"{role}(, |\n *)", "", text, count=1)


def test_the_shipped_forms_declare_every_role(tmp_path):
    assert _check(tmp_path, V1) == []
