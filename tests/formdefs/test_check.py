"""``grantflow forms check``: every broken definition named with its file and
line, exit status 1; the app refuses to start on one; other folders plug in
their own checker."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from grantflow.config import PROJECT_ROOT
from grantflow.core import formdefs
from grantflow.core.formdefs.cli import forms as forms_command
from grantflow.core.formdefs.registry import CHECKERS

VALID_PAGE = """
pages:
  - id: one
    title: One
    fields:
      - {id: name, type: short_text, label: Name}
"""

BROKEN = [
    # (file content, expected message)
    ("key: broken\nversion: 1\ntitle: a: b\n", "broken.v1.yaml:3: YAML syntax error, column 9: mapping values"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n      - {id: a, type: txt, label: A}\n",
     "broken.v1.yaml:7: page 'one', field 'a': unknown field type 'txt'"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: short_text, label: A, maxlength: 3}\n",
     "'maxlength' is not an attribute of a short_text field (did you mean 'max_length'?)"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: short_text, label: A}\n      - {id: a, type: number, label: B}\n",
     "the id 'a' is used twice"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: short_text, label: A, show_when: {field: nowhere, equals: x}}\n",
     "'show_when' refers to unknown field 'nowhere'"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: number, label: A, min: 10, max: 2}\n", "'min' is larger than 'max'"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: short_text, label: A, min_length: 9, max_length: 2}\n",
     "'min_length' is larger than 'max_length'"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: multi_choice, label: A, options: [x, y], max_selections: 3}\n",
     "'max_selections' (3) is more than the 2 options"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: short_text, label: A, pattern: '[unclosed'}\n", "'pattern' is not a valid regular"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: yes_no, label: A}\n      - {id: b, type: short_text, label: B, show_when: {field: a, equals: maybe}}\n",
     "'a' is a yes/no question: use 'equals: true' or 'equals: false'"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: choice, label: A, options: [x, x]}\n", "option 'x' is listed twice"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: group, label: A, fields: [{id: b, type: group, label: B, fields: [{id: c, type: date, label: C}]}]}\n",
     "a group cannot contain another group"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: short_text, label: A, column: budget}\n", "unknown column 'budget' for applications forms"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: a, type: number, label: A, column: title}\n", "column 'title' needs a short_text field, not number"),
    ("key: broken\nversion: 1\ntitle: T\nrules:\n  - {rule: end_after_start, start: a, end: zz}\n" + VALID_PAGE,
     "rule 'end_after_start': 'end' refers to unknown field 'zz'"),
    ("key: broken\nversion: 1\ntitle: T\nrules:\n  - {rule: no_such_rule}\n" + VALID_PAGE, "unknown rule 'no_such_rule'"),
    ("key: broken\nversion: 1\ntitle: T\neligibility: {fields: [ghost], applicant_types: [Z]}\n" + VALID_PAGE,
     "eligibility: unknown field 'ghost'"),
    ("key: broken\nversion: 1\ntitle: T\neligibility: {fields: [name], applicant_types: [Z]}\n" + VALID_PAGE,
     "eligibility: unknown applicant type 'Z'"),
    ("key: broken\nversion: 1\ntitle: T\npagez: []\n", "unknown top-level entry 'pagez' (did you mean 'pages'?)"),
    ("key: broken\nversion: 0\ntitle: T\n" + VALID_PAGE, "'version' must be a whole number of at least 1"),
    ("key: other\nversion: 1\ntitle: T\n" + VALID_PAGE, "the file must be named other.v1.yaml"),
    ("key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
     "      - {id: data, type: short_text, label: A}\n", "'data' is a reserved name"),
]


def _write(folder: Path, name: str, content: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(content))
    return path


@pytest.mark.parametrize("content, message", BROKEN, ids=[m for _, m in BROKEN])
def test_check_names_the_file_and_the_problem(tmp_path, content, message):
    path = _write(tmp_path / "applications", "broken.v1.yaml", content)
    result = CliRunner().invoke(forms_command, ["check", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    assert str(path) in result.output


def test_check_passes_the_shipped_forms():
    result = CliRunner().invoke(forms_command, ["check", str(PROJECT_ROOT / "forms/applications/local_to_global.v1.yaml")])
    assert result.exit_code == 0, result.output
    assert "ok: " in result.output


def test_check_reports_every_problem_of_a_file_at_once(tmp_path):
    path = _write(tmp_path / "applications", "broken.v1.yaml",
                  "key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n"
                  "      - {id: a, type: txt, label: A}\n      - {id: b, type: number, label: B, min: 3, max: 1}\n")
    problems = formdefs.check_files([path])[path]
    assert len(problems) == 2


def test_another_folder_registers_its_own_checker(tmp_path):
    path = _write(tmp_path / "rubrics_test", "r.v1.yaml", "anything: true\n")
    result = CliRunner().invoke(forms_command, ["check", str(path)])
    assert result.exit_code == 1 and "no checker is registered for the folder 'rubrics_test/'" in result.output
    formdefs.register_checker("rubrics_test", lambda p: [f"{p}: weights must add up to 100"])
    try:
        result = CliRunner().invoke(forms_command, ["check", str(path)])
        assert result.exit_code == 1 and "weights must add up to 100" in result.output
        formdefs.register_checker("rubrics_test", lambda p: [])
        assert CliRunner().invoke(forms_command, ["check", str(path)]).exit_code == 0
    finally:
        CHECKERS.pop("rubrics_test", None)


def test_the_app_refuses_to_start_on_an_invalid_form(make_app, tmp_path):
    shutil.copytree(PROJECT_ROOT / "forms" / "applications", tmp_path / "applications")
    _write(tmp_path / "applications", "broken.v1.yaml",
           "key: broken\nversion: 1\ntitle: T\npages:\n  - id: one\n    fields:\n      - {id: a, type: txt, label: A}\n")
    with pytest.raises(formdefs.FormError) as error:
        make_app(FORMS_DIR=tmp_path)
    assert "broken.v1.yaml:7" in str(error.value) and "unknown field type 'txt'" in str(error.value)


def test_the_cli_prints_a_broken_form_as_an_error_not_a_traceback(tmp_path, monkeypatch):
    from grantflow.cli import cli

    _write(tmp_path / "applications", "broken.v1.yaml", "key: broken\nversion: 1\ntitle: [unclosed\n")
    monkeypatch.setenv("GRANTFLOW_FORMS_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["forms", "check"])
    assert result.exit_code == 1
    assert "YAML syntax error" in result.output and "Traceback" not in result.output
