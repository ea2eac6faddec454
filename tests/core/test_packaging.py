"""`make demo` tells the user what it is doing and the build prints no deprecation banner."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _recipe(makefile: str, target: str) -> list[str]:
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert match, f"no {target} rule in the Makefile"
    return [line.strip() for line in match.group(1).splitlines()]


def test_the_license_is_an_spdx_string_so_setuptools_prints_no_deprecation():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"
    setuptools = next(r for r in project["build-system"]["requires"] if r.startswith("setuptools"))
    assert int(re.search(r">=(\d+)", setuptools).group(1)) >= 77   # the first to read SPDX strings


def test_every_slow_step_of_make_demo_says_what_it_does_first():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("$(BIN)/python", "$(STAMP)", "demo"):
        recipe = _recipe(makefile, target)
        slow = [i for i, line in enumerate(recipe) if re.search(r"pip install|-m venv|grantflow demo", line)]
        assert slow, f"{target}: no slow step found"
        for i in slow:
            assert i > 0 and recipe[i - 1].startswith("@echo"), f"{target}: {recipe[i]} runs silently"


def test_emails_and_letters_speak_us_english():
    """What a US government reads in its emails and letters (identifiers inside
    {{ }} and {% %} may keep their British names)."""
    import re as _re

    jinja = _re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", _re.S)
    british = _re.compile(r"\b(organisations?|authoris\w*|recognis\w*|licence|programme|colour|behaviour)\b", _re.I)
    files = list((ROOT / "templates" / "letters").rglob("*.html")) + list((ROOT / "templates" / "emails").glob("*.txt"))
    found = {str(path.relative_to(ROOT)): hits for path in files
             if (hits := [m.group(0) for i, part in enumerate(jinja.split(path.read_text())) if i % 2 == 0
                          for m in british.finditer(part)])}
    assert not found


@pytest.mark.parametrize("left, shown", [
    (timedelta(days=12, hours=5), "12 days left"), (timedelta(days=2), "2 days left"),
    (timedelta(hours=47), "47 hours left"), (timedelta(hours=1), "1 hour left"),
    (timedelta(minutes=59), "59 minutes left"), (timedelta(seconds=20), "1 minute left"),
    (timedelta(0), "closed"), (-timedelta(days=1), "closed"),
])
def test_deadlines_count_down_in_words(left, shown):
    from grantflow.core.web import countdown

    now = datetime(2026, 5, 1, 12, tzinfo=timezone.utc)
    assert countdown(now + left, now) == shown
