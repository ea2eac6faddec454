"""The objects every authorisation check runs against, built fresh for each check.

Always there (see README.md):

    fund, round                  an open round of the default workflow
    organisation, applicant      the applicant's government and the applicant (member of it)
    other_organisation,
    other_applicant              a second government and its applicant (owns nothing of the first)
    reviewer, admin              one user with only that role
    application                  a draft application of ``organisation``, created by ``applicant``

Anything else is built on first use by a builder that a table module declares
in its ``SCENARIO`` dict: ``scenario.review`` runs ``SCENARIO["review"](scenario)``
once, flushes, and keeps the result.
"""
from __future__ import annotations

from typing import Any, Callable

from werkzeug.security import generate_password_hash

from grantflow.extensions import db
from grantflow.users.models import User

from tests import factories

ROLES = ("anonymous", "applicant", "other_applicant", "reviewer", "admin")

#: URL arguments every table may use without declaring them
DEFAULT_URL_ARGS: dict[str, str] = {
    "application_id": "application.id",
    "round_id": "round.id",
    "fund_id": "fund.id",
    "organisation_id": "organisation.id",
}

# One cheap hash for every scenario user: scrypt (the real default) costs ~0.1 s
# per user, and the table builds four users for every (route, role) pair.
_FAST_HASH = generate_password_hash(factories.PASSWORD, method="pbkdf2:sha256:1000")

Builder = Callable[["Scenario"], Any]


def make_user(*roles: str, name: str, organisation=None) -> User:
    user = User(email=f"{name.lower().replace(' ', '.')}@authz.example.gov", name=name,
                organisation=organisation, password_hash=_FAST_HASH)
    for role in roles:
        user.grant_role(role)
    db.session.add(user)
    return user


class Scenario:
    def __init__(self, builders: dict[str, Builder]):
        self._builders = builders
        self.fund = factories.create_fund()
        self.round = factories.create_round(self.fund)
        self.organisation = factories.create_organisation(name="City of Ownerton")
        self.other_organisation = factories.create_organisation(name="County of Otherplace", applicant_type="B")
        self.applicant = make_user("applicant", name="Owner Applicant", organisation=self.organisation)
        self.other_applicant = make_user("applicant", name="Other Applicant",
                                         organisation=self.other_organisation)
        self.reviewer = make_user("reviewer", name="Panel Reviewer")
        self.admin = make_user("admin", name="Fund Admin")
        db.session.flush()
        self.application = factories.create_application(self.round, self.organisation,
                                                        created_by=self.applicant)

    def __getattr__(self, name: str):
        # only called for attributes not set yet: build them on first use
        builders = self.__dict__.get("_builders", {})
        if name not in builders:
            raise AttributeError(
                f"the authorization scenario has no object {name!r}: declare a builder for it in "
                f"SCENARIO of your tests/authz/table_<domain>.py (see tests/authz/README.md)")
        value = builders[name](self)
        setattr(self, name, value)
        db.session.flush()
        return value

    def user_for(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)

    def resolve(self, ref) -> Any:
        """A table's reference to scenario data: a callable taking the scenario,
        or a dotted path such as ``"application.id"``."""
        if callable(ref):
            return ref(self)
        value: Any = self
        for part in str(ref).split("."):
            value = getattr(value, part)
        return value
