"""No state name, trigger name or form field key of a shipped definition is
written in ``grantflow/``: Python finds states by their declared ``stage``,
moves by their guards, effects, roles and stages, and answers by their
declared ``role`` (see ``core/workflow/meaning.py``, ``core/formdefs``).

The rule, per Python file under ``grantflow/`` (read with ``tokenize``, so
comments never count):

1. a string literal whose whole value is a shipped name fails (``"in_review"``,
   ``'award'``); a longer text that merely contains the word does not;
2. an identifier equal to a shipped name fails when the name has an
   underscore (``in_review``, ``project_summary``): single words (``title``,
   ``state``, ``active``) are everyday identifiers;
3. exceptions, because the word means something else there: the names of
   GrantFlow's own columns and relationships (``title``, ``state``, ``themes``
   are columns of an application; ``name``, ``applicant_type`` of an
   organisation), and the statuses of GrantFlow's other records (a review
   assignment is ``active``, a review or report ``draft`` or ``submitted``),
   taken from the models themselves, and ``WEB_WORDS``, the web page's own
   vocabulary (a ``<button name="action" value="submit">``); a literal that is
   compared with an application's ``state`` is never excepted.
"""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "grantflow"


def _shipped_workflow_names() -> set[str]:
    names = set()
    for path in sorted((ROOT / "workflows").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        names |= set(data["states"])
        names |= {t["trigger"] for t in data["transitions"]}
    return names


def _own_vocabulary() -> set[str]:
    """Column and relationship names of GrantFlow's tables, and the statuses of
    its records other than applications."""
    from sqlalchemy.orm import configure_mappers

    from grantflow import create_app
    from grantflow.extensions import db
    from grantflow.reporting.models import REPORT_STATES
    from grantflow.reviews.models import ASSIGNMENT_STATUSES, REVIEW_STATUSES

    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    configure_mappers()
    words = {column.name for table in db.metadata.tables.values() for column in table.columns}
    for mapper in db.Model.registry.mappers:
        words |= {relationship.key for relationship in mapper.relationships}
    return words | set(ASSIGNMENT_STATUSES) | set(REVIEW_STATUSES) | set(REPORT_STATES) | WEB_WORDS


#: HTML's and WTForms' words: a form's submit button, whatever the workflow calls its moves
WEB_WORDS = {"submit"}
APPLICATION_STATE = re.compile(r"application\w*\.state\b|Application\.state\b|\.workflow_state\b")


def _violations(names: set[str], excepted: set[str]) -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            where = f"{path.relative_to(ROOT)}:{token.start[0]}"
            if token.type == tokenize.STRING and not token.string.lstrip("rbuRBU").startswith(("f", "F")):
                try:
                    value = eval(token.string, {})  # noqa: S307 - a literal token from our own source
                except SyntaxError:
                    continue
                if value in names:
                    line = lines[token.start[0] - 1]
                    if value not in excepted or APPLICATION_STATE.search(line):
                        found.append(f"{where}: {token.string}")
            elif token.type == tokenize.NAME and "_" in token.string and token.string in names \
                    and token.string not in excepted:
                found.append(f"{where}: identifier {token.string}")
    return found


def test_no_workflow_state_or_trigger_name_in_python():
    names = _shipped_workflow_names()
    assert {"in_review", "award", "active"} <= names  # the rule sees the shipped files
    violations = _violations(names, _own_vocabulary())
    assert not violations, "shipped workflow names written in Python:\n" + "\n".join(violations)
