"""Recording award terms, accepting or declining the offer, releasing tranches."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from grantflow.awards import operations
from grantflow.awards.models import PaymentTranche
from grantflow.awards.operations import TrancheTerms
from grantflow.core.models import AuditEvent
from grantflow.core.refusal import Refused
from grantflow.core.workflow import TransitionRefused, fire, may
from grantflow.extensions import db
from tests import factories_awards as fa


def test_recording_terms_awards_the_application(f):
    application, award, _, admin = fa.create_awarded_application()
    assert application.state == "awarded"
    assert award.award_number.startswith("OCSD-L2G-") and award.award_number.endswith("-0001")
    assert [(s.name, s.amount_cents, s.is_fund) for s in award.funding_sources] == [
        (application.round.fund.name, 6_000_000, True), ("Heartland Community Foundation", 1_500_000, False)]
    assert sum(s.amount_cents for s in award.funding_sources) == award.amount_cents
    assert [(t.release_on, t.amount_cents, t.status) for t in award.tranches] == [
        ("acceptance", 3_750_000, "scheduled"), ("interim_report", 3_000_000, "scheduled"),
        ("final_report", 750_000, "scheduled")]
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["award.terms_recorded", "workflow.award"]


def test_award_numbers_are_unique_and_sequential(f):
    admin = fa.create_admin()
    numbers = [fa.create_awarded_application(admin=admin)[1].award_number for _ in range(3)]
    assert [n[-4:] for n in numbers] == ["0001", "0002", "0003"]


def test_the_award_transition_is_guarded_by_the_terms(f):
    admin = fa.create_admin()
    application = f.create_application(state="reviews_complete")
    decision = may(application, "award", admin)
    assert not decision and "award terms" in decision.reason
    with pytest.raises(TransitionRefused):
        fire(application, "award", admin)
    assert application.state == "reviews_complete"


@pytest.mark.parametrize("overrides, field, message", [
    ({"amount_cents": 9_000_000}, "override_reason", "more than the $80,000.00 requested"),
    ({"amount_cents": 0}, "amount", "greater than zero"),
    ({"period_end": date(2026, 6, 1)}, "period_end", "must end after it starts"),
    ({"co_funders": (("Big Philanthropy", 8_000_000),)}, "co_funders", "more than the award"),
    ({"co_funders": (("", 100),)}, "co_funders", "needs a name"),
    ({"tranches": (TrancheTerms("All", "acceptance", Decimal(90)),)}, "tranches", "90%, not 100%"),
    ({"tranches": (TrancheTerms("On the day", "date", Decimal(100)),)}, "tranches", "give the date"),
    ({"tranches": ()}, "tranches", "at least one payment"),
])
def test_bad_terms_are_refused_with_the_field(f, overrides, field, message):
    admin = fa.create_admin()
    application = f.create_application(state="reviews_complete", amount_requested_cents=8_000_000)
    with pytest.raises(Refused) as refused:
        operations.record_award_terms(application, admin, fa.terms(**overrides))
    assert refused.value.field == field and message in str(refused.value)
    assert application.state == "reviews_complete"
    assert operations.award_for(application) is None


def test_more_than_requested_with_a_reason(f):
    application, award, _, _ = fa.create_awarded_application(
        award_terms=fa.terms(amount_cents=9_000_000, override_reason="Added a youth exchange at our request."))
    assert award.amount_cents == 9_000_000
    assert award.amount_override_reason == "Added a youth exchange at our request."


def test_only_admins_record_terms(f):
    application = f.create_application(state="reviews_complete")
    applicant = f.create_applicant(application.organisation)
    with pytest.raises(Refused, match="administrators"):
        operations.record_award_terms(application, applicant, fa.terms())


def test_terms_can_be_corrected_until_the_offer_goes_out(f):
    application, award, _, admin = fa.create_awarded_application()
    changed = operations.record_award_terms(application, admin, fa.terms(amount_cents=7_000_000, co_funders=()))
    assert changed.id == award.id and changed.award_number == award.award_number
    assert [t.amount_cents for t in changed.tranches] == [3_500_000, 2_800_000, 700_000]
    assert [(s.amount_cents, s.is_fund) for s in changed.funding_sources] == [(7_000_000, True)]
    assert db.session.scalar(select(db.func.count()).select_from(PaymentTranche)) == 3
    application.state = "award_offered"
    with pytest.raises(Refused, match="cannot be changed"):
        operations.record_award_terms(application, admin, fa.terms())


def test_uneven_tranches_sum_exactly(f):
    thirds = (TrancheTerms("One", "acceptance", Decimal("33.33")),
              TrancheTerms("Two", "interim_report", Decimal("33.33")),
              TrancheTerms("Three", "date", Decimal("33.34"), date(2027, 1, 15)))
    terms = fa.terms(amount_cents=1_000_001, tranches=thirds, co_funders=())
    _, award, _, _ = fa.create_awarded_application(award_terms=terms)
    assert sum(t.amount_cents for t in award.tranches) == 1_000_001
    assert award.tranches[2].due_date == date(2027, 1, 15)


def test_accepting_records_name_time_ip_and_makes_the_first_tranche_due(f):
    application, award, applicant, _, _ = fa.create_offered_application()
    operations.accept_award_offer(application, applicant, typed_name="  dana   WHITFIELD ", ip_address="203.0.113.9")
    assert application.state == "active"
    assert award.accepted_name == "dana   WHITFIELD"
    assert award.accepted_ip == "203.0.113.9" and award.accepted_at is not None
    assert award.accepted_by_id == applicant.id
    assert [t.status for t in award.tranches] == ["due", "scheduled", "scheduled"]
    accepted = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "award.accepted"))
    assert accepted.data["typed_name"] == "dana   WHITFIELD" and accepted.data["ip"] == "203.0.113.9"
    assert accepted.actor_id == applicant.id and accepted.is_visible_to_applicant


@pytest.mark.parametrize("typed", ["", "   ", "Someone Else", "Dana"])
def test_acceptance_needs_the_users_own_name(f, typed):
    application, award, applicant, _, _ = fa.create_offered_application()
    with pytest.raises(Refused) as refused:
        operations.accept_award_offer(application, applicant, typed_name=typed, ip_address=None)
    assert refused.value.field == "typed_name"
    assert application.state == "award_offered" and award.accepted_at is None


@pytest.mark.parametrize("typed, accepted", [
    ("Dana Whitfield", True), ("  frank   COWNIE ", True), ("Someone Else", False)])
def test_the_representative_named_in_the_application_may_accept(f, typed, accepted):
    """The letter asks the authorized representative to accept: their name, as the
    application gives it, is accepted as well as the signed-in user's."""
    application, award, applicant, _, _ = fa.create_offered_application()
    application.answers = {**application.answers, "representative_name": "Frank Cownie"}
    if accepted:
        operations.accept_award_offer(application, applicant, typed_name=typed, ip_address=None)
        assert application.state == "active" and award.accepted_by_id == applicant.id
    else:
        with pytest.raises(Refused) as refused:
            operations.accept_award_offer(application, applicant, typed_name=typed, ip_address=None)
        assert "“Frank Cownie” or “Dana Whitfield”" in str(refused.value)


def test_another_organisation_cannot_accept(f):
    application, award, _, _, _ = fa.create_offered_application()
    stranger = f.create_applicant(name="Dana Whitfield")
    with pytest.raises(TransitionRefused):
        operations.accept_award_offer(application, stranger, typed_name="Dana Whitfield", ip_address=None)
    assert award.accepted_at is None


def test_declining_the_offer(f):
    application, award, applicant, _, _ = fa.create_offered_application()
    operations.decline_award_offer(application, applicant, comment="Council did not approve the match.")
    assert application.state == "offer_declined"
    assert all(t.status == "scheduled" for t in award.tranches)


def test_release_tranches_by_event(f):
    two_interims = (TrancheTerms("First", "acceptance", Decimal(40)),
                    TrancheTerms("Second", "interim_report", Decimal(25)),
                    TrancheTerms("Third", "interim_report", Decimal(25)),
                    TrancheTerms("Last", "final_report", Decimal(10)))
    _, award, _, admin = fa.create_awarded_application(award_terms=fa.terms(tranches=two_interims))
    assert [t.label for t in operations.release_tranches(award, "interim_report", admin)] == ["Second"]
    assert [t.label for t in operations.release_tranches(award, "interim_report", admin)] == ["Third"]
    assert operations.release_tranches(award, "interim_report", admin) == []
    assert [t.label for t in operations.release_tranches(award, "final_report", admin)] == ["Last"]
    with pytest.raises(ValueError):
        operations.release_tranches(award, "payday", admin)


def test_dated_tranches_are_released_when_their_date_comes(f):
    dated = (TrancheTerms("Now", "acceptance", Decimal(50)),
             TrancheTerms("Later", "date", Decimal(50), date(2027, 1, 15)))
    application, award, applicant, _, _ = fa.create_offered_application(award_terms=fa.terms(tranches=dated))
    assert operations.release_dated_tranches(today=date(2027, 1, 20)) == []  # not accepted yet
    operations.accept_award_offer(application, applicant, typed_name="Dana Whitfield", ip_address=None)
    assert operations.release_dated_tranches(today=date(2027, 1, 14)) == []
    assert [t.label for t in operations.release_dated_tranches(today=date(2027, 1, 15))] == ["Later"]


def test_mark_tranche_paid(f):
    application, award, applicant, admin, _ = fa.create_offered_application()
    with pytest.raises(Refused, match="not due"):
        operations.mark_tranche_paid(award.tranches[1], admin)
    operations.accept_award_offer(application, applicant, typed_name="Dana Whitfield", ip_address=None)
    operations.mark_tranche_paid(award.tranches[0], admin)
    assert award.tranches[0].status == "paid" and award.paid_cents == 3_750_000
    db.session.flush()  # the check constraints hold


def test_release_tranche_is_idempotent(f):
    _, award, _, admin = fa.create_awarded_application()
    first = award.tranches[0]
    operations.release_tranche(first, admin, reason="test")
    released_at = first.released_at
    operations.release_tranche(first, admin)
    assert first.released_at == released_at
