from __future__ import annotations

import pytest

from grantflow.core.models import OutboxEmail
from grantflow.extensions import db


@pytest.fixture
def applicant(f):
    return f.create_applicant(name="Dana Whitfield")


@pytest.fixture
def signed_in(applicant, login_as):
    login_as(applicant)
    return applicant


@pytest.fixture
def open_round(f):
    return f.create_round(name="Spring 2027")


@pytest.fixture
def draft(f, applicant, open_round):
    """A draft with every answer complete (the factory default)."""
    return f.create_application(open_round, applicant.organisation, created_by=applicant)


@pytest.fixture
def empty_draft(f, applicant, open_round):
    return f.create_application(open_round, applicant.organisation, created_by=applicant, answers={}, title="")


def emails_to(address: str) -> list[OutboxEmail]:
    return db.session.query(OutboxEmail).filter_by(recipient=address).order_by(OutboxEmail.id).all()


def reload(application):
    db.session.expire_all()
    return db.session.get(type(application), application.id)
