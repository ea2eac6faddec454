"""Disbursements against payment tranches, and what has been paid of each grant.

A payment never exceeds what is left of its tranche, nor takes the grant's
payments beyond the award (less any unspent funds recorded at closeout). The
award row is locked (SELECT ... FOR UPDATE on PostgreSQL) while the totals are
checked, so two clerks recording at once cannot both squeeze under the limit."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ..core.audit import record_event
from ..core.cache import portfolio_changed
from ..core.db import format_usd, utcnow
from ..core.refusal import Refused
from ..extensions import db
from . import grant
from .models import Closeout, Disbursement
from .operations import ensure_grant_open, ensure_staff, final_report_for


@dataclass
class TrancheLine:
    tranche: object
    paid_cents: int
    disbursements: list = field(default_factory=list)

    @property
    def remaining_cents(self) -> int:
        return max(self.tranche.amount_cents - self.paid_cents, 0)

    @property
    def is_payable(self) -> bool:
        return self.tranche.status == "due" and self.remaining_cents > 0


@dataclass
class PaymentSummary:
    award: object
    lines: list[TrancheLine]
    unspent_cents: int | None

    @property
    def awarded_cents(self) -> int:
        return self.award.amount_cents

    @property
    def paid_cents(self) -> int:
        return sum(line.paid_cents for line in self.lines)

    @property
    def outstanding_cents(self) -> int:
        """Awarded, neither paid nor recorded as unspent."""
        return self.awarded_cents - self.paid_cents - (self.unspent_cents or 0)

    @property
    def is_reconciled(self) -> bool:
        return self.outstanding_cents == 0

    @property
    def disbursements(self) -> list:
        found = [d for line in self.lines for d in line.disbursements]
        return sorted(found, key=lambda d: (d.paid_on, d.id))

    @property
    def payable_lines(self) -> list[TrancheLine]:
        return [line for line in self.lines if line.is_payable]


def paid_total_cents(application) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Disbursement.amount_cents), 0))
                             .where(Disbursement.application_id == application.id))


def declared_unspent_cents(application) -> int:
    """What the grantee's submitted final report says was not spent (0 before it is submitted)."""
    final = final_report_for(application)
    return (final.unspent_cents or 0) if final is not None and final.state != "open" else 0


def payment_summary(application) -> PaymentSummary | None:
    award = grant.award_for(application)
    if award is None:
        return None
    tranches = grant.tranches_for(application)
    by_tranche: dict[int, list] = {t.id: [] for t in tranches}
    for disbursement in db.session.scalars(select(Disbursement).where(
            Disbursement.application_id == application.id).order_by(Disbursement.paid_on, Disbursement.id)):
        by_tranche.setdefault(disbursement.tranche_id, []).append(disbursement)
    lines = [TrancheLine(t, sum(d.amount_cents for d in by_tranche[t.id]), by_tranche[t.id]) for t in tranches]
    closeout = db.session.scalar(select(Closeout).where(Closeout.application_id == application.id))
    return PaymentSummary(award, lines, closeout.unspent_cents if closeout else None)


def record_disbursement(tranche, actor, *, amount_cents: int | None, paid_on: date | None, reference: str,
                        today: date | None = None) -> Disbursement:
    """Record money paid against ``tranche``; refuses over-payment with a
    message naming the field at fault."""
    ensure_staff(actor)
    award = grant.lock_award(tranche.award_id)
    application = award.application
    ensure_grant_open(application)
    today = today or utcnow().date()
    reference = (reference or "").strip()
    if amount_cents is None or amount_cents <= 0:
        raise Refused("Enter an amount greater than $0.00.", field="amount")
    if paid_on is None:
        raise Refused("Enter the date the payment was made.", field="paid_on")
    if paid_on > today:
        raise Refused("The payment date cannot be in the future: record a payment once it is made.",
                      field="paid_on")
    if not reference:
        raise Refused("Enter the payment reference (for example the Treasury or ASAP reference).",
                      field="reference")
    if tranche.status == "scheduled":
        raise Refused(f"“{tranche.label}” is not due yet ({tranche.release_label.lower()}).",
                      field="amount")
    tranche_paid = db.session.scalar(select(func.coalesce(func.sum(Disbursement.amount_cents), 0))
                                     .where(Disbursement.tranche_id == tranche.id))
    tranche_left = tranche.amount_cents - tranche_paid
    if amount_cents > tranche_left:
        raise Refused(f"That is more than the {format_usd(tranche_left)} still to pay on "
                      f"“{tranche.label}” ({format_usd(tranche.amount_cents)}, "
                      f"{format_usd(tranche_paid)} paid).", field="amount")
    grant_paid = paid_total_cents(application)
    closeout = db.session.scalar(select(Closeout).where(Closeout.application_id == application.id))
    recorded = (closeout.unspent_cents or 0) if closeout else 0
    declared = declared_unspent_cents(application)
    unspent = max(recorded, declared)
    ceiling = award.amount_cents - unspent
    if grant_paid + amount_cents > ceiling:
        why = ("" if not unspent else f" less {format_usd(recorded)} recorded as unspent" if recorded >= declared
               else f" less the {format_usd(declared)} the final report declares unspent")
        raise Refused(f"That would take payments to {format_usd(grant_paid + amount_cents)}, beyond the "
                      f"award of {format_usd(award.amount_cents)}{why}: at most "
                      f"{format_usd(max(ceiling - grant_paid, 0))} can still be paid.", field="amount")
    disbursement = Disbursement(application_id=application.id, tranche_id=tranche.id, amount_cents=amount_cents,
                                paid_on=paid_on, reference=reference[:120], recorded_by_id=actor.id)
    db.session.add(disbursement)
    db.session.flush()
    portfolio_changed()
    if tranche_paid + amount_cents == tranche.amount_cents:
        grant.mark_tranche_paid(tranche, actor)
    record_event(actor=actor, action="payment.recorded", subject=disbursement, application=application,
                 comment=f"Payment of {format_usd(amount_cents)} made on {paid_on:%B %-d, %Y} "
                         f"({tranche.label}, reference {reference}).",
                 data={"tranche_id": tranche.id, "amount_cents": amount_cents, "paid_on": paid_on.isoformat(),
                       "reference": reference},
                 visible_to_applicant=True)
    return disbursement
