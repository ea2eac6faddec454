"""The one access policy (``grantflow.core.policy``): ``can()`` decides from
the rules the domains register, the loader answers 404 for what the user may
not know exists and 403 with the reason otherwise, and the declarations the
URL-map test reads are recorded on the views."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import Forbidden, NotFound

from grantflow.core import policy


@pytest.fixture()
def people(f):
    organisation = f.create_organisation()
    application = f.create_application(organisation=organisation)
    return {
        "application": application,
        "applicant": f.create_applicant(organisation=organisation),
        "other_applicant": f.create_applicant(),
        "reviewer": f.create_user("reviewer"),
        "admin": f.create_user("admin"),
        "anonymous": AnonymousUserMixin(),
    }


@pytest.mark.parametrize("who, action, allowed, hidden", [
    ("applicant", "edit", True, False),
    ("other_applicant", "edit", False, True),     # another organisation's: not disclosed
    ("reviewer", "edit", False, False),           # the wrong pages for a reviewer: told so
    ("admin", "edit", False, False),
    ("admin", "manage", True, False),
    ("applicant", "manage", False, False),
    ("applicant", "follow", True, False),
    ("admin", "follow", True, False),
    ("other_applicant", "follow", False, True),
    ("anonymous", "edit", False, False),
])
def test_can_decides_an_application_with_a_reason(people, who, action, allowed, hidden):
    decision = policy.can(people[who], action, people["application"])
    assert bool(decision) is allowed
    if not allowed:
        assert decision.reason and decision.hidden is hidden


@pytest.mark.parametrize("who, allowed", [
    ("applicant", True), ("other_applicant", True), ("reviewer", False), ("admin", False), ("anonymous", False),
])
def test_the_role_gate_is_the_question_without_an_object(people, who, allowed):
    assert bool(policy.can(people[who], "edit", "application")) is allowed


def test_an_unknown_action_or_kind_is_a_programming_error_not_a_refusal(people):
    with pytest.raises(LookupError, match="no rule for 'fly'"):
        policy.can(people["admin"], "fly", people["application"])
    with pytest.raises(LookupError, match="no kind 'spaceship'"):
        policy.can(people["admin"], "view", "spaceship")


@pytest.mark.parametrize("who, expected", [
    ("applicant", None), ("other_applicant", NotFound), ("reviewer", Forbidden),
])
def test_the_loader_answers_404_for_the_hidden_and_403_with_the_reason(app, people, who, expected):
    with app.test_request_context():
        from flask_login import login_user

        login_user(people[who])
        if expected is None:
            assert policy.load("application", people["application"].id, "edit") == people["application"]
            return
        with pytest.raises(expected) as raised:
            policy.load("application", people["application"].id, "edit")
        if expected is Forbidden:
            assert "fund staff and reviewers use their own pages" in raised.value.description


def test_the_loader_answers_404_for_what_does_not_exist(app, people):
    with app.test_request_context():
        from flask_login import login_user

        login_user(people["admin"])
        with pytest.raises(NotFound):
            policy.load("application", 10**9, "manage")


def test_declarations_are_recorded_on_the_views(app):
    assert policy.declared_policy(app.view_functions["applications.detail"]) == ("edit", "application")
    assert policy.declared_policy(app.view_functions["core.health"]) == policy.PUBLIC


def test_a_hidden_object_answers_exactly_like_one_that_does_not_exist(client, people, login_as):
    login_as(people["other_applicant"])
    client.get("/applications/")  # shows (and so clears) whatever the sign-in flashed
    hidden = client.get(f"/applications/{people['application'].id}")
    missing = client.get("/applications/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data(as_text=True) == missing.get_data(as_text=True)


def _every_kind() -> dict:
    """Every kind registered by a domain's ``policy.py`` (all imported at start-up)."""
    from grantflow import discovery

    discovery.import_all_hooks()
    return policy.KINDS


@pytest.mark.parametrize("kind_name, action", sorted((name, action) for name, found in _every_kind().items()
                                                     for action in found.rules))
def test_no_rule_lets_the_anonymous_in(app, kind_name, action):
    """Pages for everybody say so with ``@public``; a rule that forgets to ask
    who is asking would open its routes to anybody."""
    assert not policy.can(AnonymousUserMixin(), action, kind_name)


@pytest.mark.parametrize("kind_name", sorted(name for name, found in _every_kind().items() if "manage" in found.rules))
def test_manage_is_for_staff_only(app, people, kind_name):
    assert policy.can(people["admin"], "manage", kind_name)
    for who in ("applicant", "reviewer"):
        decision = policy.can(people[who], "manage", kind_name)
        assert not decision and decision.reason
