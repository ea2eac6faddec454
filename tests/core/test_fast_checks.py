"""The definition checks and the app start without the solvers: SciPy and
OR-Tools load only when something assigns reviewers or calibrates scores. The
checks load no NumPy either (they read definitions; the job modules, which bring
the numerical and PDF libraries, stay unloaded), so they answer in well under a
second."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grantflow.config import PROJECT_ROOT

SOLVERS = ("scipy", "ortools")
HEAVY = (*SOLVERS, "numpy")

RUN_COMMAND = """
import sys
from grantflow.cli import cli
try:
    cli({args!r}, prog_name="grantflow", standalone_mode=False)
finally:
    print("loaded:", ",".join(m for m in {solvers!r} if m in sys.modules))
"""

START_APP = """
import sys
from grantflow import create_app
create_app()
print("loaded:", ",".join(m for m in {solvers!r} if m in sys.modules))
"""


def _run(code: str, **extra_env: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "GRANTFLOW_ROOT": str(PROJECT_ROOT),
           "SECRET_KEY": "fast-checks", **extra_env}
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300,
                          cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("args", [["workflows", "check"], ["forms", "check"]], ids=" ".join)
def test_the_checks_import_no_solver_nor_numpy(args):
    out = _run(RUN_COMMAND.format(args=args, solvers=HEAVY))
    assert "ok: " in out
    assert out.strip().splitlines()[-1] == "loaded:"


def test_the_app_starts_without_the_solvers(tmp_path):
    out = _run(START_APP.format(solvers=SOLVERS), DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite")
    assert out.strip().splitlines()[-1] == "loaded:"


def test_calibrating_loads_scipy_when_it_is_needed():
    out = _run("import sys\nfrom grantflow.reviews.aggregation import Score, calibrate\n"
               "calibrate([Score(1, 10, 80.0, None), Score(2, 10, 60.0, None), Score(2, 11, 70.0, None)])\n"
               "print('scipy' in sys.modules)")
    assert out.strip() == "True"
