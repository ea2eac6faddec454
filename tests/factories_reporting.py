"""Factories for reporting tests: accepted awards (grants) with their schedules.

``create_grant`` goes through the awards domain's real acceptance, so the
report schedule and the first tranche come from the same code as in production."""
from __future__ import annotations

from datetime import date

from grantflow.awards.models import Award, PaymentTranche
from grantflow.awards.operations import accept_award_offer, default_tranches
from grantflow.awards.schedule import split_amount
from grantflow.extensions import db

from tests import factories

_numbers = iter(range(1, 10**6))


def create_award(application, *, amount_cents: int, period_start: date, period_end: date) -> Award:
    terms = default_tranches(application.round.fund)
    amounts = split_amount(amount_cents, [t.percent for t in terms])
    award = Award(application=application, award_number=f"TEST-{next(_numbers):05d}", amount_cents=amount_cents,
                  period_start=period_start, period_end=period_end,
                  tranches=[PaymentTranche(sequence=i + 1, label=t.label, release_on=t.release_on,
                                           percent=t.percent, amount_cents=cents)
                            for i, (t, cents) in enumerate(zip(terms, amounts))])
    db.session.add(award)
    db.session.flush()
    return award


def create_grant(*, state: str = "active", period_start: date = date(2025, 1, 1),
                 period_end: date = date(2025, 12, 31), amount_cents: int = 10_000_000,
                 fund_settings: dict | None = None, members: int = 1, targets: dict | None = None,
                 version: int = 1):
    """An accepted award (50/40/10 tranches, the first one due) for an
    organisation with ``members`` applicant users, moved on to ``state``; on
    workflow and form ``version`` (2: its answers from the form's examples)."""
    from grantflow.core.formdefs import load_form
    from grantflow.core.workflow import get_definition

    fund = factories.create_fund(settings=fund_settings or {})
    round_ = factories.create_round(fund, workflow_version=version, form_version=version)
    organisation = factories.create_organisation()
    users = [factories.create_applicant(organisation) for _ in range(members)]
    form = load_form("applications", round_.form_key, version)
    if version == 1:
        answers = {form.role_field("targets").id: targets} if targets else {}
    else:
        from grantflow.demo.answers import from_examples
        from tests.meaning.lifecycle import facts

        answers = from_examples(form, facts("Sister-city climate exchange", period_start))
        answers[form.role_field("targets").id] = targets or {}
    offered, = get_definition(round_.workflow_key, version).states_in("offered")
    application = factories.create_application(round_, organisation, state=offered, answers=answers,
                                               form_version=version)
    create_award(application, amount_cents=amount_cents, period_start=period_start, period_end=period_end)
    accept_award_offer(application, users[0], typed_name=users[0].name, ip_address="192.0.2.1")
    if state != "active":
        application.state = state
    db.session.flush()
    return application


def report_of(application, kind: str = "interim", sequence: int = 1):
    from sqlalchemy import select

    from grantflow.reporting.models import Report

    return db.session.scalar(select(Report).where(Report.application_id == application.id, Report.kind == kind,
                                                  Report.sequence == sequence))


def mark_submitted(report, *, metrics: dict | None = None, spent_cents: int | None = None,
                   unspent_cents: int | None = None):
    """A report as the grantee left it after submitting (the filing itself is
    tested in test_filing); a final report also moves the grant on, as filing does."""
    from grantflow.core.db import utcnow
    from grantflow.core.workflow import fire

    report.state = "submitted"
    report.submitted_at = utcnow()
    report.answers = {"metrics": metrics or {}}
    report.metrics = metrics or {}
    report.spent_cents, report.unspent_cents = spent_cents, unspent_cents
    if report.kind == "final" and report.application.state == "active":
        fire(report.application, "submit_final_report", None)
    db.session.flush()
    return report


def create_grant_for(organisation, applicant, round_, *, amount_cents: int = 10_000_000,
                     period_start: date = date(2025, 1, 1), period_end: date = date(2025, 12, 31)):
    """A grant of an existing organisation, accepted by ``applicant`` (for the authz scenario)."""
    application = factories.create_application(round_, organisation, state="award_offered",
                                               title="Sister-city water exchange")
    create_award(application, amount_cents=amount_cents, period_start=period_start, period_end=period_end)
    accept_award_offer(application, applicant, typed_name=applicant.name, ip_address="192.0.2.1")
    db.session.flush()
    return application
