"""Factories for reporting tests: grants (awarded applications) with schedules."""
from __future__ import annotations

from datetime import date

from grantflow.extensions import db
from grantflow.reporting import operations

from tests import factories


def create_grant(*, state: str = "active", period_start: date = date(2025, 1, 1),
                 period_end: date = date(2025, 12, 31), fund_settings: dict | None = None, members: int = 1,
                 schedule: bool = True):
    """An application in a post-award state with ``members`` applicant users and,
    unless ``schedule`` is False, its report schedule."""
    fund = factories.create_fund(settings=fund_settings or {})
    round_ = factories.create_round(fund)
    organisation = factories.create_organisation()
    for _ in range(members):
        factories.create_applicant(organisation)
    application = factories.create_application(round_, organisation, state=state)
    if schedule:
        operations.schedule_reports(application, None, period_start=period_start, period_end=period_end)
    db.session.flush()
    return application
