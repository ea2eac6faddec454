"""The authorisation table: every route x (anonymous, applicant, other applicant,
reviewer, admin) -> the expected HTTP status, generated from the URL map.

A route without an entry fails ``test_every_route_has_an_entry`` with the file to
add it to. The format of the ``table_<domain>.py`` files is in README.md.
"""
from __future__ import annotations

import pytest
from flask import url_for

from grantflow.extensions import db

from . import tables
from .scenario import ROLES, Scenario

TABLE = tables.load()
README = "tests/authz/README.md"


def _is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def _rules_by_endpoint(app) -> dict:
    rules = {}
    for rule in app.url_map.iter_rules():
        if not _is_static(rule.endpoint):
            rules.setdefault(rule.endpoint, rule)
    return rules


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_route_has_an_entry(app):
    missing = []
    covered = {entry.endpoint for entry in TABLE.entries.values()}
    for endpoint, rule in sorted(_rules_by_endpoint(app).items()):
        if endpoint not in covered:
            missing.append(
                f"  {rule.rule} ({', '.join(_methods(rule))}), endpoint {endpoint!r}: add it to "
                f"ROUTES in {tables.table_file_for(endpoint)}")
    assert not missing, ("These routes have no entry in the authorization table (expected status for "
                         f"{', '.join(ROLES)}); see {README}:\n" + "\n".join(missing))


def test_every_entry_is_a_route(app):
    rules = _rules_by_endpoint(app)
    stale = [f"  {key!r} in {entry.source}" for key, entry in sorted(TABLE.entries.items())
             if entry.endpoint not in rules]
    assert not stale, "These entries name no route (renamed or removed?):\n" + "\n".join(stale)


def _checks():
    for key, entry in sorted(TABLE.entries.items()):
        methods = [entry.method] + (["POST"] if entry.post else [])
        for method in methods:
            for role in ROLES:
                label = method or "default"
                yield pytest.param(entry, method, role, id=f"{key}-{label}-{role}")


def _url(app, rule, entry, scenario) -> str:
    values = {}
    for name in sorted(rule.arguments - set(rule.defaults or {})):
        ref = entry.args.get(name, TABLE.url_args.get(name))
        if ref is None:
            pytest.fail(f"{entry.source}: {entry.endpoint} needs the URL argument {name!r}; give it in the "
                        f"entry's 'args' or in URL_ARGS (see {README})", pytrace=False)
        values[name] = scenario.resolve(ref)
    with app.test_request_context():
        return url_for(entry.endpoint, **values)


def _sign_in(client, user) -> None:
    """Put the user in the session as Flask-Login does, without a password check
    (hashing is the slow part, and sign-in has its own tests)."""
    if user is None:
        return
    from grantflow.users.sessions import start_session

    start_session(user)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.mark.parametrize("entry, method, role", list(_checks()))
def test_route_answers_each_role_as_the_table_says(app, client, entry, method, role):
    rule = _rules_by_endpoint(app).get(entry.endpoint)
    if rule is None:
        pytest.skip(f"{entry.endpoint} is not a route (reported by test_every_entry_is_a_route)")
    method = method or ("GET" if "GET" in rule.methods else "POST")
    statuses = entry.post if (method == "POST" and entry.post) else entry.expected
    expected = statuses[role]
    expected = set(expected) if isinstance(expected, (tuple, set, frozenset, list)) else {expected}
    if role == "anonymous" and method == "POST" and 302 in expected:
        # sign-in required: a signed-out post that carries typed text gets the
        # sign-in page that keeps it (users.kept, 401) instead of the redirect
        expected.add(401)

    scenario = Scenario(TABLE.builders)
    for name in entry.needs:
        getattr(scenario, name)
    url = _url(app, rule, entry, scenario)
    data = scenario.resolve(entry.data) if callable(entry.data) else (entry.data or {})
    user = scenario.user_for(role)
    db.session.commit()
    _sign_in(client, user)

    response = client.open(url, method=method, data=data)
    where = f" -> {response.headers.get('Location')}" if 300 <= response.status_code < 400 else ""
    assert response.status_code in expected, (
        f"{method} {url} as {role}: got {response.status_code}{where}, expected "
        f"{' or '.join(map(str, sorted(expected)))} (entry in {entry.source})")


def test_the_scenario_is_as_documented(app):
    scenario = Scenario(TABLE.builders)
    assert scenario.application.organisation_id == scenario.applicant.organisation_id
    assert scenario.other_applicant.organisation_id not in (None, scenario.application.organisation_id)
    assert scenario.reviewer.roles == {"reviewer"} and scenario.admin.roles == {"admin"}
    assert scenario.user_for("anonymous") is None
    with pytest.raises(AttributeError, match="declare a builder"):
        scenario.no_such_thing  # noqa: B018
