"""Closeout: the checklist that gates the ``close`` transition, the staff
confirmations it needs, and closing the grant.

The checklist is computed from the records each time (never stored twice), so
the guard, the page and the tests all read the same truth."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..core.audit import record_event
from ..core.db import format_usd, utcnow
from ..core.refusal import Refused
from ..core.workflow import meaning
from ..extensions import db
from . import metrics
from .models import Closeout
from .operations import ensure_staff, final_report_for
from .payments import declared_unspent_cents, payment_summary

#: closing the grant is the move guarded by the closeout checklist
CLOSE_GUARD = "closeout_checklist_complete"


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    is_done: bool
    detail: str


def closeout_for(application, *, create: bool = False) -> Closeout | None:
    closeout = db.session.scalar(select(Closeout).where(Closeout.application_id == application.id))
    if closeout is None and create:
        closeout = Closeout(application_id=application.id)
        db.session.add(closeout)
    return closeout


def checklist(application) -> list[ChecklistItem]:
    final = final_report_for(application)
    closeout = closeout_for(application)
    summary = payment_summary(application)
    items = []

    if final is None:
        items.append(ChecklistItem("final_report", "Final report accepted", False, "No final report is scheduled."))
    else:
        items.append(ChecklistItem("final_report", "Final report accepted", final.state == "accepted",
                                   f"Accepted on {final.reviewed_at:%B %-d, %Y}." if final.state == "accepted"
                                   else f"The final report is “{final.state_label}”."))

    accepted_at = closeout.financial_report_accepted_at if closeout else None
    items.append(ChecklistItem(
        "financial_report", "Final financial report accepted", accepted_at is not None,
        f"Accepted on {accepted_at:%B %-d, %Y}." if accepted_at
        else "Staff have not yet accepted the spending and unspent funds in the final report."))

    if summary is None:
        items.append(ChecklistItem("payments", "Payments reconciled or unspent funds recorded", False,
                                   "This grant has no award terms."))
    else:
        detail = (f"{format_usd(summary.paid_cents)} paid of {format_usd(summary.awarded_cents)} awarded"
                  + (f", {format_usd(summary.unspent_cents)} recorded as unspent" if summary.unspent_cents else "")
                  + ("." if summary.is_reconciled
                     else f"; {format_usd(summary.outstanding_cents)} is neither paid nor recorded as unspent."))
        items.append(ChecklistItem("payments", "Payments reconciled or unspent funds recorded",
                                   summary.is_reconciled, detail))

    missing = metrics.missing_actuals(application, final)
    if final is None or final.state == "open":
        metrics_detail, metrics_done = "The final report has not been submitted.", False
    elif missing:
        metrics_detail, metrics_done = "No figure reported for: " + ", ".join(missing) + ".", False
    elif not metrics.targets_for(application):
        metrics_detail, metrics_done = "The application set no targets.", True
    else:
        metrics_detail, metrics_done = "Every metric with a target has a reported figure.", True
    items.append(ChecklistItem("metrics", "Metrics complete", metrics_done, metrics_detail))
    return items


def warnings(application) -> list[str]:
    """What staff must look at before closing, though it does not block it:
    money paid beyond the spending the final report declares."""
    summary = payment_summary(application)
    declared = declared_unspent_cents(application)
    if summary is None or not declared:
        return []
    overpaid = summary.paid_cents - (summary.awarded_cents - declared)
    if overpaid <= 0:
        return []
    return [f"The final report declares {format_usd(declared)} unspent, but {format_usd(summary.paid_cents)} of "
            f"the {format_usd(summary.awarded_cents)} award was paid: {format_usd(overpaid)} was paid beyond what "
            "was spent. Ask the grantee to return it before closing."]


def incomplete_items(application) -> list[ChecklistItem]:
    return [item for item in checklist(application) if not item.is_done]


def _ensure_in_closeout(application) -> None:
    if meaning.is_in(application, "completed"):
        raise Refused("This grant is closed: its closeout is read-only.")
    if not meaning.is_in(application, "closing"):
        raise Refused("Closeout starts once the final report is accepted.")


def accept_financial_report(application, actor, *, comment: str | None = None) -> Closeout:
    ensure_staff(actor)
    _ensure_in_closeout(application)
    closeout = closeout_for(application, create=True)
    if closeout.financial_report_accepted_at is not None:
        raise Refused("The final financial report is already accepted.")
    closeout.financial_report_accepted_at = utcnow()
    closeout.financial_report_accepted_by_id = actor.id
    db.session.flush()
    final = final_report_for(application)
    record_event(actor=actor, action="closeout.financial_report_accepted", subject=closeout,
                 application=application, comment=(comment or "").strip() or "Final financial report accepted.",
                 data={"spent_cents": final.spent_cents if final else None,
                       "unspent_cents": final.unspent_cents if final else None},
                 visible_to_applicant=True)
    return closeout


def record_unspent_funds(application, actor, *, amount_cents: int | None, note: str) -> Closeout:
    """Record award money that will not be paid, so payments reconcile."""
    ensure_staff(actor)
    _ensure_in_closeout(application)
    summary = payment_summary(application)
    if summary is None:
        raise Refused("This grant has no award terms.")
    note = (note or "").strip()
    if amount_cents is None or amount_cents < 0:
        raise Refused("Enter the unspent amount ($0.00 or more).", field="amount")
    unpaid = summary.awarded_cents - summary.paid_cents
    if amount_cents > unpaid:
        raise Refused(f"Only {format_usd(unpaid)} of the award is unpaid: the unspent amount cannot be "
                      "more than that.", field="amount")
    if not note:
        raise Refused("Say why the funds are unspent (for example “returned by the grantee” or "
                      "“not drawn down”).", field="note")
    closeout = closeout_for(application, create=True)
    previous = closeout.unspent_cents
    closeout.unspent_cents = amount_cents
    closeout.unspent_note = note
    closeout.unspent_recorded_at = utcnow()
    closeout.unspent_recorded_by_id = actor.id
    db.session.flush()
    record_event(actor=actor, action="closeout.unspent_recorded", subject=closeout, application=application,
                 comment=f"Unspent funds recorded: {format_usd(amount_cents)}. {note}",
                 data={"unspent_cents": amount_cents, "previous_cents": previous}, visible_to_applicant=True)
    return closeout


def close_grant(application, actor, *, comment: str | None = None, expected_version: int | None = None,
                acknowledged: bool = False):
    """Close the grant. The workflow's guard ``closeout_checklist_complete``
    refuses while the checklist is incomplete; its effect ``closeout_letter``
    (see hooks) has the letter rendered after the commit, whichever page fired it.
    With a warning (see ``warnings``) it closes only once staff acknowledge it,
    and the warning goes into the audit log with the move."""
    ensure_staff(actor)
    _ensure_in_closeout(application)
    found = warnings(application)
    if found and not acknowledged:
        raise Refused("Read the warning and confirm that you close the grant anyway.", field="acknowledged")
    if found:
        comment = " ".join(filter(None, [(comment or "").strip(), "Closed despite the warning:", *found]))
    return meaning.fire_move(application, actor, guard=CLOSE_GUARD, comment=(comment or "").strip() or None,
                             expected_version=expected_version)
