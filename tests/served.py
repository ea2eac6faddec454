"""GrantFlow served by gunicorn for tests over real HTTP: a process of its own
on a free port, and a signed-in ``requests`` session."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict, *, workers: int = 1, timeout: float = 180.0):
    """Serve ``wsgi:app`` with ``env`` added to this environment; yields the base URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            try:
                if requests.get(f"{base}/login", timeout=30).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still importing
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer on {base} within {timeout:.0f} s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def signed_in(base: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token(session.get(f"{base}/login", timeout=30).text)
    response = session.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": token},
                            allow_redirects=False, timeout=30)
    if response.status_code != 302:
        raise RuntimeError(f"sign-in as {email} failed: {response.status_code}")
    return session
