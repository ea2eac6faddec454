"""Every route declares its access policy (``grantflow/core/policy.py``).

A route without ``@allows(action, kind)`` or ``@public`` fails here, named, so
a new page cannot be public by omission; a declaration naming an action or
kind that no domain's ``policy.py`` registers fails too (a typo is never a
silent refusal, nor a silent yes)."""
from __future__ import annotations

import inspect

from grantflow.core import policy

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
