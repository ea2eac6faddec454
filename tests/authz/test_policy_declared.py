"""Every route declares its access policy (``grantflow/core/policy.py``).

A route without ``@allows(action, kind)`` or ``@public`` fails here, named, so
a new page cannot be public by omission; a declaration naming an action or
kind that no domain's ``policy.py`` registers fails too (a typo is never a
silent refusal, nor a silent yes)."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

import grantflow
from grantflow.core import policy

PACKAGE = Path(grantflow.__file__).parent

#: Flask's own static files (CSS, JS, images): public by nature, served by Flask itself
FLASK_OWN = {"static"}


def _where(view) -> str:
    view = inspect.unwrap(view)
    try:
        return f"{inspect.getsourcefile(view)}:{inspect.getsourcelines(view)[1]}"
    except (OSError, TypeError):
        return getattr(view, "__module__", "?")


def undeclared_routes(app) -> list[str]:
    missing = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        view = app.view_functions[rule.endpoint]
        if rule.endpoint not in FLASK_OWN and policy.declared_policy(view) is None:
            missing.append(f"  {rule.rule} (endpoint {rule.endpoint!r}, {_where(view)})")
    return missing


def test_every_route_declares_its_policy(app):
    missing = undeclared_routes(app)
    assert not missing, (
        "These routes declare no access policy: add @allows(ACTION, KIND) (or @public for pages anybody may "
        "open) from grantflow.core.policy right under @bp.route:\n" + "\n".join(missing))


def test_every_declaration_names_a_registered_rule(app):
    unknown = []
    for endpoint, view in sorted(app.view_functions.items()):
        declared = policy.declared_policy(view)
        if declared is None or declared == policy.PUBLIC:
            continue
        action, kind_name = declared
        try:
            policy.rule_for(kind_name, action)
        except LookupError as exc:
            unknown.append(f"  {endpoint}: {exc}")
    assert not unknown, "Declared policies without a rule:\n" + "\n".join(unknown)


def test_the_walk_catches_an_undeclared_route():
    from flask import Flask

    probe = Flask("probe")
    probe.add_url_rule("/forgotten", "forgotten", lambda: "open to all")
    probe.add_url_rule("/declared", "declared", policy.public(lambda: "fine"))
    probe.add_url_rule("/staff", "staff", policy.allows("manage", "round")(lambda: "staff only"))
    assert [line.split("(endpoint ")[1].split(",")[0] for line in undeclared_routes(probe)] == ["'forgotten'"]


def _route_functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                and d.func.attr in ("route", "get", "post") for d in node.decorator_list):
            yield node


def _bare_loads(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    """``db.session.get(Model, x)`` inside a route whose URL gives ``x``."""
    found = []
    for view in _route_functions(ast.parse(path.read_text(encoding="utf-8"))):
        url_args = {arg.arg for arg in view.args.args}
        for node in ast.walk(view):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                    and ast.unparse(node.func.value) == "db.session" and len(node.args) > 1
                    and isinstance(node.args[1], ast.Name) and node.args[1].id in url_args):
                found.append(f"  {path.relative_to(root)}:{node.lineno} {view.name}: {ast.unparse(node)}")
    return found


def test_views_load_the_objects_of_their_urls_through_the_policy():
    """A route reading an object by the id in its URL with a bare ``db.session.get``
    skips the policy (an IDOR waiting for a missing check): use ``load(kind, id, action)``."""
    bare = [line for path in sorted(PACKAGE.rglob("*.py")) for line in _bare_loads(path)]
    assert not bare, ("Load these through grantflow.core.policy.load(KIND, id, ACTION) (declare the kind in "
                      "your package's policy.py if it is new):\n" + "\n".join(bare))


def test_the_bare_load_check_sees_one(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("@bp.route('/x/<int:thing_id>')\ndef show(thing_id):\n"
                      "    return db.session.get(Thing, thing_id) or abort(404)\n")
    assert _bare_loads(module, root=tmp_path) == ["  views.py:3 show: db.session.get(Thing, thing_id)"]
