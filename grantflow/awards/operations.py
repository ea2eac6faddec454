"""Verbs on awards: record the terms, accept or decline the offer, release and
pay tranches. Each takes the acting user explicitly, flushes and never commits,
and audits what it changed. (Letters are in ``letters.py``.)"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.audit import record_event
from ..core.cache import portfolio_changed
from ..core.db import format_usd, utcnow
from ..core.refusal import Refused
from ..core.workflow import ConcurrentChange, meaning
from ..core.workflow.engine import holds_role
from ..extensions import db
from .context import representative
from .models import RELEASE_EVENTS, Award, AwardFundingSource, PaymentTranche
from .schedule import DEFAULT_AWARD_NUMBER_PREFIX, DEFAULT_PAYMENT_SCHEDULE, next_award_number, split_amount
from .signals import award_accepted

#: the award is the move with this guard; after it and before the offer goes
#: out (the "selected" stage), the terms may still be corrected
AWARD_GUARD = "award_terms_recorded"


@dataclass(frozen=True)
class TrancheTerms:
    label: str
    release_on: str
    percent: Decimal
    due_date: date | None = None


@dataclass(frozen=True)
class AwardTerms:
    amount_cents: int
    period_start: date
    period_end: date
    conditions: str = ""
    override_reason: str = ""
    co_funders: tuple[tuple[str, int], ...] = ()
    tranches: tuple[TrancheTerms, ...] = ()


def award_for(application) -> Award | None:
    return db.session.scalar(select(Award).where(Award.application_id == application.id))


def default_tranches(fund) -> list[TrancheTerms]:
    """The fund's payment schedule (``settings["payment_schedule"]``) or domain.md's default."""
    rows = (fund.settings or {}).get("payment_schedule") or DEFAULT_PAYMENT_SCHEDULE
    return [TrancheTerms(row["label"], row["release_on"], Decimal(str(row["percent"])),
                         date.fromisoformat(row["due_date"]) if row.get("due_date") else None) for row in rows]


def _check_terms(application, terms: AwardTerms) -> None:
    requested = application.amount_requested_cents
    if terms.amount_cents <= 0:
        raise Refused("Enter an amount greater than zero.", "amount")
    if requested is not None and terms.amount_cents > requested and not terms.override_reason.strip():
        raise Refused(f"This is more than the {format_usd(requested)} requested: give a reason to award "
                      "more, or lower the amount.", "override_reason")
    if terms.period_end <= terms.period_start:
        raise Refused("The period of performance must end after it starts.", "period_end")
    co_funded = sum(cents for _, cents in terms.co_funders)
    if any(cents <= 0 or not name.strip() for name, cents in terms.co_funders):
        raise Refused("Each co-funder needs a name and a share greater than zero.", "co_funders")
    if co_funded > terms.amount_cents:
        raise Refused(f"The co-funders' shares ({format_usd(co_funded)}) are more than the award "
                      f"({format_usd(terms.amount_cents)}).", "co_funders")
    if not terms.tranches:
        raise Refused("The payment schedule needs at least one payment.", "tranches")
    total = sum(t.percent for t in terms.tranches)
    if total != 100:
        raise Refused(f"The payments add up to {total.normalize():f}%, not 100%.", "tranches")
    for t in terms.tranches:
        if t.release_on not in RELEASE_EVENTS:
            raise Refused(f"Unknown release event “{t.release_on}”.", "tranches")
        if t.percent <= 0:
            raise Refused("Each payment must be more than 0%.", "tranches")
        if t.release_on == "date" and t.due_date is None:
            raise Refused(f"“{t.label}” is released on a date: give the date.", "tranches")
        if not t.label.strip():
            raise Refused("Give each payment a label.", "tranches")


def _new_award_number(application) -> str:
    prefix = (application.round.fund.settings or {}).get("award_number_prefix", DEFAULT_AWARD_NUMBER_PREFIX)
    year = utcnow().year
    existing = list(db.session.scalars(select(Award.award_number)
                                       .where(Award.award_number.like(f"{prefix}-{year}-%"))))
    return next_award_number(prefix, year, existing)


def _apply_terms(award: Award, application, terms: AwardTerms) -> None:
    award.amount_cents = terms.amount_cents
    award.amount_override_reason = terms.override_reason.strip() or None
    award.period_start, award.period_end = terms.period_start, terms.period_end
    award.conditions = terms.conditions.strip()
    fund = application.round.fund
    fund_share = terms.amount_cents - sum(cents for _, cents in terms.co_funders)
    sources = [(fund.name, fund_share, True)] if fund_share else []
    sources += [(name.strip(), cents, False) for name, cents in terms.co_funders]
    award.funding_sources = [AwardFundingSource(position=i, name=name, amount_cents=cents, is_fund=is_fund)
                             for i, (name, cents, is_fund) in enumerate(sources)]
    amounts = split_amount(terms.amount_cents, [t.percent for t in terms.tranches])
    award.tranches = []
    db.session.flush()  # the old tranches go before new ones reuse their sequence numbers
    award.tranches = [PaymentTranche(sequence=i + 1, label=t.label.strip(), release_on=t.release_on,
                                     percent=t.percent, amount_cents=cents,
                                     due_date=t.due_date if t.release_on == "date" else None)
                      for i, (t, cents) in enumerate(zip(terms.tranches, amounts))]


def record_award_terms(application, actor, terms: AwardTerms, *, expected_version: int | None = None) -> Award:
    """Record (or, before the offer is sent, correct) the award terms. When the
    application is not yet awarded this also makes the workflow's award move,
    whose guard ``award_terms_recorded`` needs the terms flushed first.

    ``expected_version`` is the application's version when the form was shown:
    if someone changed it since (another administrator's terms, say), this
    raises ``ConcurrentChange`` rather than overwrite what they did."""
    if not holds_role(application, actor, "admin"):
        raise Refused("Only fund administrators can record award terms.")
    if expected_version is not None and expected_version != application.version:
        raise ConcurrentChange()
    award = award_for(application)
    if not terms_are_editable(application):
        raise Refused(f"The terms cannot be changed while the application is “{application.state_label}”.")
    _check_terms(application, terms)
    is_new = award is None
    if is_new:
        award = Award(application=application, award_number=_new_award_number(application),
                      recorded_by=actor)
        db.session.add(award)
    _apply_terms(award, application, terms)
    try:
        db.session.flush()
    except IntegrityError as exc:  # another administrator recorded terms at the same moment
        raise ConcurrentChange() from exc
    application.updated_at = utcnow()  # bumps the version: a form shown before this is now stale
    portfolio_changed()  # the amount awarded
    record_event(actor=actor, action="award.terms_recorded" if is_new else "award.terms_changed",
                 subject=award, application=application,
                 comment=f"Award {award.award_number}: {format_usd(award.amount_cents)}, "
                         f"{award.period_start:%B %-d, %Y} to {award.period_end:%B %-d, %Y}."
                         + (f" Above the amount requested because: {award.amount_override_reason}"
                            if award.amount_override_reason else ""),
                 data={"award_number": award.award_number, "amount_cents": award.amount_cents,
                       "period_start": award.period_start.isoformat(),
                       "period_end": award.period_end.isoformat(),
                       "tranches": [[t.release_on, str(t.percent), t.amount_cents] for t in award.tranches]})
    if not meaning.is_in(application, "selected"):
        meaning.fire_move(application, actor, guard=AWARD_GUARD,
                          data={"award_number": award.award_number, "amount_cents": award.amount_cents})
    return award


def can_be_awarded(application) -> bool:
    """The workflow has an award move (guarded by ``award_terms_recorded``) from
    the current state (guards aside)."""
    return meaning.move(application, guard=AWARD_GUARD) is not None


def terms_are_editable(application) -> bool:
    return meaning.is_in(application, "selected") or can_be_awarded(application)


def acceptance(application):
    """The applicant's move that accepts the offer (into an active grant)."""
    return meaning.move(application, into="funded", role="applicant")


def refusal(application):
    """The applicant's move that declines the offer."""
    return meaning.move(application, into="refused", role="applicant")


def normalise_name(name: str) -> str:
    """Case, accents' encoding and spacing do not matter when comparing typed names."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def acceptance_signatories(application, actor) -> list[str]:
    """Whose typed name accepts the award: the signed-in applicant's, or the
    authorized representative's named in the application (the letter asks them)."""
    names = [name for name in (representative(application)[0], getattr(actor, "name", "")) if name]
    return list(dict.fromkeys(name.strip() for name in names if normalise_name(name)))


def accept_award_offer(application, actor, *, typed_name: str, ip_address: str | None) -> Award:
    """The applicant accepts by typing their name: recorded with the time and IP
    in the award and the audit log; the tranches due on acceptance become due."""
    award = award_for(application)
    if award is None:
        raise Refused("This application has no award to accept.")
    if not normalise_name(typed_name):
        raise Refused("Type your full name to accept the award.", "typed_name")
    signatories = acceptance_signatories(application, actor)
    if normalise_name(typed_name) not in {normalise_name(name) for name in signatories}:
        raise Refused("Type the name on your account or the authorized representative's name in the "
                      f"application: {' or '.join(f'“{name}”' for name in signatories)}.", "typed_name")
    now = utcnow()
    meaning.fire_move(application, actor, into="funded", role="applicant", comment=f"Accepted by {typed_name.strip()}",
                      data={"typed_name": typed_name.strip(), "award_number": award.award_number})
    award.accepted_name = typed_name.strip()[:200]
    award.accepted_at = now
    award.accepted_ip = ip_address
    award.accepted_by = actor
    record_event(actor=actor, action="award.accepted", subject=award, application=application,
                 comment=f"Award {award.award_number} accepted by {award.accepted_name}.",
                 data={"typed_name": award.accepted_name, "accepted_at": now.isoformat(), "ip": ip_address},
                 visible_to_applicant=True)
    release_tranches(award, "acceptance", actor)
    award_accepted.send(award, actor=actor)  # reporting schedules the reports, in this transaction
    return award


def decline_award_offer(application, actor, *, comment: str | None = None) -> None:
    meaning.fire_move(application, actor, into="refused", role="applicant", comment=comment)


def release_tranche(tranche: PaymentTranche, actor, *, reason: str | None = None) -> PaymentTranche:
    """Make one scheduled tranche due (for example when a report is accepted)."""
    if tranche.status != "scheduled":
        return tranche
    tranche.status = "due"
    tranche.released_at = utcnow()
    record_event(actor=actor, action="award.tranche_due", subject=tranche, application=tranche.award.application,
                 comment=f"{tranche.label} ({format_usd(tranche.amount_cents)}) is now due"
                         + (f": {reason}." if reason else "."),
                 data={"tranche_id": tranche.id, "amount_cents": tranche.amount_cents,
                       "release_on": tranche.release_on})
    return tranche


def release_tranches(award: Award, event: str, actor, *, today: date | None = None) -> list[PaymentTranche]:
    """Make due the scheduled tranches that ``event`` releases: all of those
    released on acceptance or on the final report, the first one waiting for an
    interim report, and for ``"date"`` those whose date has come."""
    if event not in RELEASE_EVENTS:
        raise ValueError(f"unknown release event {event!r}")
    waiting = [t for t in award.tranches if t.status == "scheduled" and t.release_on == event]
    if event == "interim_report":
        waiting = waiting[:1]
    elif event == "date":
        today = today or utcnow().date()
        waiting = [t for t in waiting if t.due_date <= today]
    reasons = {"acceptance": "the award was accepted", "interim_report": "an interim report was accepted",
               "final_report": "the final report was accepted", "date": "its date has come"}
    return [release_tranche(t, actor, reason=reasons[event]) for t in waiting]


def release_dated_tranches(actor=None, *, today: date | None = None) -> list[PaymentTranche]:
    """Every accepted award's date-released tranches whose date has come (for cron)."""
    today = today or utcnow().date()
    tranches = db.session.scalars(
        select(PaymentTranche).join(Award).where(PaymentTranche.release_on == "date",
                                                 PaymentTranche.status == "scheduled",
                                                 PaymentTranche.due_date <= today,
                                                 Award.accepted_at.is_not(None))).all()
    return [release_tranche(t, actor, reason="its date has come") for t in tranches]


def mark_tranche_paid(tranche: PaymentTranche, actor, *, paid_at=None) -> PaymentTranche:
    """Called by the payments side once the tranche's money has gone out."""
    if tranche.status == "paid":
        return tranche
    if tranche.status != "due":
        raise Refused(f"“{tranche.label}” is not due yet, so it cannot be paid.")
    tranche.status = "paid"
    tranche.paid_at = paid_at or utcnow()
    record_event(actor=actor, action="award.tranche_paid", subject=tranche, application=tranche.award.application,
                 comment=f"{tranche.label} ({format_usd(tranche.amount_cents)}) paid.",
                 data={"tranche_id": tranche.id, "amount_cents": tranche.amount_cents})
    return tranche
