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
    # the public catalog's optional groups: their fields' roles belong to their own group
    ("role: place_country", "role: place_nation",
     "a field inside a group can only have one of the roles collaborator_kind, collaborator_name, place_city"),
    ("role: collaborators", "role: engagement_places",
     "has role 'collaborator_name', not one of a 'engagement_places' group's (place_country, place_city)"),
    ("role: place_city", "role: summary", "a field inside a group can only have one of the roles"),
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


FINAL = (Path(__file__).resolve().parents[2] / "forms" / "reports" / "final.v1.yaml").read_text()

#: report forms: what reporting reads, refused when missing or wrong
BROKEN_REPORTS = [
    ("        role: actuals\n", "", "no question has 'role: actuals'"),
    ("{id: jobs_created, type: number", "{id: jobs_made, type: number", "'jobs_made' is not a metric GrantFlow knows"),
    ("        role: story\n", "        role: stroy\n", "unknown role 'stroy' (did you mean 'story'?)"),
    ("        role: spent_total\n", "        role: publication_consent\n",
     "role 'publication_consent' needs a yes_no field, not money"),
]


@pytest.mark.parametrize("old, new, expected", BROKEN_REPORTS)
def test_a_report_form_missing_what_reporting_reads_is_refused(tmp_path, old, new, expected):
    assert old in FINAL
    folder = tmp_path / "reports"
    folder.mkdir()
    path = folder / "final.v9.yaml"
    path.write_text(FINAL.replace(old, new, 1).replace("version: 1\n", "version: 9\n", 1))
    problems = check_files([path])[path]
    assert [p for p in problems if expected in p], problems


def test_a_report_answer_is_found_by_its_role_whatever_it_is_called(app):
    """A report form that calls the story ``highlight`` and the total ``spent``: reporting still reads them."""
    from grantflow.core.formdefs import parse
    from grantflow.reporting import filing

    text = (FINAL.replace("- id: success_story\n", "- id: highlight\n").replace("field: success_story", "field: highlight")
            .replace("- id: total_spent\n", "- id: spent\n").replace("total: total_spent", "total: spent").replace("- id: metrics\n        type: group",
                                                                       "- id: achieved\n        type: group"))
    definition = parse(yaml.safe_load(text), "final.v1.yaml", kind="reports")

    class Report:  # what store_answers writes
        answers = metrics = spent_cents = unspent_cents = success_story = is_story_publishable = None

    report = Report()
    original = filing.definition_for
    filing.definition_for = lambda _report: definition
    try:
        filing.store_answers(report, {"highlight": " A trade deal. ", "story_consent": True, "spent": 12_300,
                                      "unspent": 0, "achieved": {"jobs_created": 4}})
    finally:
        filing.definition_for = original
    assert (report.success_story, report.is_story_publishable, report.spent_cents, report.unspent_cents,
            report.metrics) == ("A trade deal.", True, 12_300, 0, {"jobs_created": 4})
