"""The `grantflow` console script: Flask's CLI bound to the app, with the project's commands."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

GRANTFLOW = Path(sys.executable).with_name("grantflow")
PROJECT_COMMANDS = ["assign", "demo", "export", "forms", "letters", "remind", "seed", "users", "worker",
                    "workflows", "db", "routes", "run"]


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "REDIS_URL", "DATABASE_URL")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    env["SECRET_KEY"] = "cli-test"
    return env


def test_help_lists_the_project_commands_without_flask_app(tmp_path):
    result = subprocess.run([str(GRANTFLOW), "--help"], capture_output=True, text=True, env=_env(tmp_path),
                            timeout=120)
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert set(PROJECT_COMMANDS) <= listed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_demo_serves_the_app_with_the_printed_logins(tmp_path):
    port = _free_port()
    env = _env(tmp_path)
    env["GRANTFLOW_LETTER_DIR"] = str(tmp_path / "letters")
    env["GRANTFLOW_UPLOAD_DIR"] = str(tmp_path / "uploads")
    process = subprocess.Popen([str(GRANTFLOW), "demo", "--port", str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("grantflow demo exited: " + process.stdout.read())
                time.sleep(0.5)
        else:
            pytest.fail("grantflow demo did not serve within 240 s")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
            assert b"Sign in" in response.read()
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "admin@demo.example.org" in output and "password for all: grantflow-demo" in output
    assert f"http://127.0.0.1:{port}" in output
