"""``grantflow workflows check`` on each kind of broken definition, the same
message when the application refuses to start, and ``workflows show``."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grantflow.cli import cli
from grantflow.config import PROJECT_ROOT
from grantflow.core.workflow import WorkflowError

BROKEN = Path(__file__).parent / "broken"

#: file -> what the message must say (besides the file name)
CASES = {
    "syntax_error.yaml": "YAML syntax error at line 6, column",
    "unknown_source_state.yaml": "transition 'reopen' (#2, line 12) comes from unknown state 'archived'",
    "unknown_dest_state.yaml": "transition 'archive' (#2, line 12) goes to unknown state 'archived'",
    "unreachable_state.yaml": "state 'limbo' cannot be reached from the initial state 'draft'",
    "dead_end.yaml": "state 'stuck' is not terminal but has no way out",
    "unknown_guard.yaml": "names unknown guard 'moon_is_full' (known: ",
    "unknown_effect.yaml": "names unknown effect 'send_fireworks' (known: ",
    "unknown_role.yaml": "names unknown role 'treasurer' (known: ",
    "duplicate_trigger.yaml": "trigger 'finish' is defined twice from state 'draft' (transitions #1 and #2)",
    "terminal_with_exit.yaml": "terminal state 'done' has a way out ('reopen')",
    "duplicate_state.yaml": "'draft' is defined twice in the same mapping",
    "misspelt_setting.yaml": "has unknown setting 'comment_requried'",
}


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_every_broken_fixture_has_a_case():
    assert {p.name for p in BROKEN.glob("*.yaml")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_names_the_file_and_the_problem(name):
    path = BROKEN / name
    result = run("workflows", "check", str(path))
    assert result.exit_code == 1
    assert f"error: {path}: " in result.output
    assert CASES[name] in result.output
    assert "Traceback" not in result.output


def test_check_passes_the_shipped_workflows():
    result = run("workflows", "check")
    assert result.exit_code == 0, result.output
    assert "local_to_global v1" in result.output and "small_grant v1" in result.output


def test_check_reports_every_file_and_fails_if_any_is_broken():
    good = PROJECT_ROOT / "workflows" / "small_grant.v1.yaml"
    result = run("workflows", "check", str(good), str(BROKEN / "dead_end.yaml"), str(BROKEN / "unknown_role.yaml"))
    assert result.exit_code == 1
    assert "ok: " in result.output and "2 problems found." in result.output


def test_check_lists_several_problems_of_one_file(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text((BROKEN / "unknown_guard.yaml").read_text().replace("roles: [admin]", "roles: [wizard]"))
    result = run("workflows", "check", str(path))
    assert "unknown guard 'moon_is_full'" in result.output and "unknown role 'wizard'" in result.output


def test_the_same_key_and_version_twice(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        shutil.copy(PROJECT_ROOT / "workflows" / "small_grant.v1.yaml", tmp_path / name)
    result = run("workflows", "check", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"))
    assert result.exit_code == 1 and "small_grant v1 is also defined in" in result.output


@pytest.fixture
def broken_dir(tmp_path):
    shutil.copy(PROJECT_ROOT / "workflows" / "local_to_global.v1.yaml", tmp_path)
    shutil.copy(BROKEN / "dead_end.yaml", tmp_path)
    return tmp_path


def test_the_app_refuses_to_start_with_the_same_message(make_app, broken_dir):
    with pytest.raises(WorkflowError) as refused:
        make_app(WORKFLOWS_DIR=broken_dir)
    checked = run("workflows", "check", str(broken_dir / "dead_end.yaml"))
    assert str(refused.value) in checked.output
    assert "dead_end.yaml: state 'stuck' is not terminal but has no way out" in str(refused.value)


def test_the_command_line_shows_the_refusal_without_a_traceback(broken_dir):
    # a real process: inside the test the app context would be reused instead of starting the app
    grantflow = Path(sys.executable).parent / "grantflow"
    result = subprocess.run([str(grantflow), "routes"], capture_output=True, text=True, timeout=120, env={
        **os.environ, "GRANTFLOW_WORKFLOWS_DIR": str(broken_dir), "SECRET_KEY": "test",
        "DATABASE_URL": "sqlite://"})
    assert result.returncode != 0
    assert "GrantFlow cannot start" in result.stderr
    assert "state 'stuck' is not terminal but has no way out" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_show_prints_states_and_transitions():
    result = run("workflows", "show", "small_grant")
    assert result.exit_code == 0, result.output
    assert "small_grant v1: Small grants" in result.output
    assert "screening               Screening and decision" in result.output
    assert "award                screening -> awarded" in result.output
    assert "guards: award_terms_recorded" in result.output


def test_show_with_a_version_and_as_svg():
    result = run("workflows", "show", "local_to_global", "--version", "1", "--svg")
    assert result.exit_code == 0 and result.output.startswith("<svg")
    missing = run("workflows", "show", "local_to_global", "--version", "9")
    assert missing.exit_code != 0 and "no workflow 'local_to_global' version 9" in missing.output
