"""Factory functions for tests (Indico style: ``create_application(...)``).

They add and flush; the test decides when to commit."""
from __future__ import annotations

from datetime import timedelta
from itertools import count

from grantflow.applications.models import Application
from grantflow.core.db import utcnow
from grantflow.extensions import db
from grantflow.funds.models import Fund, Round
from grantflow.organisations.models import Organisation
from grantflow.users.models import User
from tests.factories_applications import complete_answers

PASSWORD = "correct horse battery staple"
_seq = count(1)
_HASHES: dict[str, str] = {}


def _password_hash(password: str) -> str:
    """scrypt costs ~0.1 s a call: hash each test password once per run."""
    if password not in _HASHES:
        from werkzeug.security import generate_password_hash

        _HASHES[password] = generate_password_hash(password)
    return _HASHES[password]


def create_user(*roles: str, email: str | None = None, name: str | None = None, organisation=None,
                password: str = PASSWORD) -> User:
    n = next(_seq)
    user = User(email=email or f"user{n}@example.gov", name=name or f"Test User {n}",
                organisation=organisation)
    user.password_hash = _password_hash(password)
    for role in roles or ("applicant",):
        user.grant_role(role)
    db.session.add(user)
    db.session.flush()
    return user


def create_organisation(name: str | None = None, applicant_type: str = "C", state: str = "IA",
                        population: int | None = 214_000, **extra) -> Organisation:
    org = Organisation(name=name or f"City of Testville {next(_seq)}", applicant_type=applicant_type,
                       state=state, population=population, **extra)
    db.session.add(org)
    db.session.flush()
    return org


def create_applicant(organisation=None, **kwargs) -> User:
    organisation = organisation or create_organisation()
    return create_user("applicant", organisation=organisation, **kwargs)


def create_fund(**extra) -> Fund:
    n = next(_seq)
    fund = Fund(slug=extra.pop("slug", f"fund-{n}"), name=extra.pop("name", "Local-to-Global Engagement Fund"),
                funder_name=extra.pop("funder_name", "Office of City and State Diplomacy"), **extra)
    db.session.add(fund)
    db.session.flush()
    return fund


def create_round(fund=None, *, workflow_key: str = "local_to_global", workflow_version: int = 1,
                 form_key: str = "local_to_global", form_version: int | None = 1,
                 rubric_key: str | None = "local_to_global", is_open: bool = True, **extra) -> Round:
    fund = fund or create_fund()
    now = utcnow()
    opens = now - timedelta(days=30)
    closes = now + timedelta(days=30) if is_open else now - timedelta(days=1)
    round_ = Round(fund=fund, name=extra.pop("name", f"Round {next(_seq)}"), opens_at=extra.pop("opens_at", opens),
                   closes_at=extra.pop("closes_at", closes), budget_cents=extra.pop("budget_cents", 200_000_000),
                   workflow_key=workflow_key, workflow_version=workflow_version, form_key=form_key,
                   form_version=form_version, rubric_key=rubric_key, **extra)
    db.session.add(round_)
    db.session.flush()
    return round_


def create_application(round_=None, organisation=None, *, state: str | None = None, title: str = "Sister-city climate exchange",
                       amount_requested_cents: int | None = 7_500_000, answers: dict | None = None,
                       themes: list | None = None, created_by=None, form_version: int = 1) -> Application:
    round_ = round_ or create_round()
    organisation = organisation or create_organisation()
    application = Application(
        round=round_, organisation=organisation, created_by=created_by, workflow_key=round_.workflow_key,
        workflow_version=round_.workflow_version, state=state or "draft", form_key=round_.form_key,
        form_version=form_version,
        # complete by default, so a factory application can be submitted; pass {} for an empty one
        answers=answers if answers is not None else complete_answers(
            title=title, amount_requested_cents=amount_requested_cents or 7_500_000, themes=themes),
        title=title,
        amount_requested_cents=amount_requested_cents, themes=themes or ["climate"],
    )
    db.session.add(application)
    db.session.flush()
    return application
