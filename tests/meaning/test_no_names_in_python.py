"""No state name, trigger name or application form field key of a shipped
definition is written in ``grantflow/``: Python finds states by their declared
``stage``, moves by their guards, effects, roles and stages, and answers by
their declared ``role`` or ``column`` (see ``core/workflow/meaning.py``,
``core/formdefs/roles.py``); the demo fills forms from their ``example:``s.

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
   compared with an application's ``state`` is never excepted;
4. for form field keys, also: the names of GrantFlow's own web form fields
   (an ``amount`` on the payment form), the form format's own attributes
   (``type``), the values letters use (``templates/letters/README.md``), and
   the fields of the group with ``role: targets``, whose keys are GrantFlow's
   catalogue of metrics (``reporting/metrics.py``; ``forms check`` refuses
   any other key there).
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
    for table in db.metadata.tables.values():  # constraint names, as written in the models too
        words |= {str(c.name).removeprefix(f"ck_{table.name}_") for c in table.constraints if c.name}
    for mapper in db.Model.registry.mappers:
        words |= {relationship.key for relationship in mapper.relationships}
    return words | set(ASSIGNMENT_STATUSES) | set(REVIEW_STATUSES) | set(REPORT_STATES) | WEB_WORDS


#: words of the web page: a form's submit button (HTML, WTForms), a deadline's
#: countdown that reads "closed" (core/web.py), whatever the workflow calls its states
WEB_WORDS = {"submit", "closed"}
APPLICATION_STATE = re.compile(r"application\w*\.state\b|Application\.state\b|\.workflow_state\b")


def _shipped_form_keys() -> set[str]:
    names = set()

    def walk(fields, catalogue: bool):
        for spec in fields:
            if not catalogue:
                names.add(spec["id"])
            walk(spec.get("fields") or [], spec.get("role") in ("targets", "actuals"))

    for path in sorted((ROOT / "forms" / "applications").glob("*.yaml")) + sorted(
            (ROOT / "forms" / "reports").glob("*.yaml")):
        for page in yaml.safe_load(path.read_text())["pages"]:
            walk(page["fields"], False)
    return names


def _web_and_format_words() -> set[str]:
    """GrantFlow's own web form field names, the form format's attributes and
    the values letters use."""
    import importlib
    import inspect
    import pkgutil

    import grantflow
    from grantflow.core.formdefs import fieldtypes
    from wtforms import Form
    from wtforms.fields.core import UnboundField

    words = set(fieldtypes.COMMON_ATTRIBUTES).union(*fieldtypes.FIELD_TYPES.values())
    for module in pkgutil.walk_packages(grantflow.__path__, "grantflow."):
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if inspect.isclass(value) and issubclass(value, Form):
                words |= {name for name, field in vars(value).items() if isinstance(field, UnboundField)}
    readme = (ROOT / "templates" / "letters" / "README.md").read_text()
    return words | set(re.findall(r"^\| `(\w+)` \|", readme, re.MULTILINE))


def _violations(names: set[str], excepted: set[str], *, states: bool = True) -> list[str]:
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
                    if value not in excepted or (states and APPLICATION_STATE.search(line)):
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


def test_no_application_or_report_form_field_key_in_python():
    names = _shipped_form_keys()
    assert {"project_summary", "amount_requested", "total_spent", "story_consent"} <= names  # the shipped forms
    violations = _violations(names, _own_vocabulary() | _web_and_format_words(), states=False)
    assert not violations, "shipped form field keys written in Python:\n" + "\n".join(violations)
