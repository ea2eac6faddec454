"""What a letter template sees: plain values built from the database.

Templates run in a sandbox and get dicts, lists, strings and numbers only
(``core.pdf.ensure_plain`` enforces it), so an edited template can show any of
these values but can never reach a model, the session or another application.
The keys are documented in templates/letters/README.md."""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from ..core import formdefs
from ..core.db import format_usd, utcnow
from ..core.models import AuditEvent
from ..core.workflow.engine import definition_for
from ..extensions import db
from . import signals
from .letters import LETTER_READY_GUARD
from .models import RELEASE_LABELS, Award, Letter

DEFAULT_SIGNATORY = {"name": "Program Director", "title": "Local-to-Global Engagement Fund"}


def _long_date(day: date | None) -> str:
    return f"{day:%B %-d, %Y}" if day else ""


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _paragraphs(text: str | None) -> list[str]:
    return [" ".join(block.split()) for block in (text or "").split("\n\n") if block.strip()]


def representative(application) -> tuple[str | None, str | None]:
    """The authorized representative's name and title as the application gives
    them (the questions with ``role: signatory_name`` and ``signatory_title``)."""
    name = formdefs.answer(application, "signatory_name")
    title = formdefs.answer(application, "signatory_title")
    return (str(name) if name else None), (str(title) if title else None)


def recipient(application) -> dict:
    """The authorized representative from the answers, else the person who
    started the application, at the organization's address."""
    org = application.organisation
    name, title = representative(application)
    if not name:
        person = application.created_by or next((m for m in org.members if m.is_active), None)
        if person is not None:
            name, title = person.name, title or person.job_title
    address = _lines(org.address) or [org.state_name]
    return {"name": str(name or ""), "title": str(title or ""), "organisation": org.name,
            "address_lines": address, "state": org.state_name, "applicant_type": org.applicant_type_label}


def _award_values(award: Award) -> dict:
    return {
        "number": award.award_number,
        "amount": format_usd(award.amount_cents), "amount_cents": award.amount_cents,
        "period_start": _long_date(award.period_start), "period_end": _long_date(award.period_end),
        "period_start_iso": award.period_start.isoformat(), "period_end_iso": award.period_end.isoformat(),
        "conditions": award.condition_paragraphs,
        "funding_sources": [{"name": s.name, "is_fund": s.is_fund, "amount": format_usd(s.amount_cents),
                             "amount_cents": s.amount_cents} for s in award.funding_sources],
        "payment_schedule": [{"sequence": t.sequence, "label": t.label, "percent": f"{t.percent.normalize():f}%",
                              "amount": format_usd(t.amount_cents), "amount_cents": t.amount_cents,
                              "release": t.release_label, "release_on": t.release_on,
                              "status": t.status} for t in award.tranches],
        "accepted_by": award.accepted_name or "", "accepted_on": _long_date(
            award.accepted_at.date() if award.accepted_at else None),
    }


def reporting_schedule(application, award: Award) -> list[dict]:
    """The reports already scheduled for the grant, or (before acceptance) the
    schedule the reporting domain will create from the award period (asked
    through ``signals.reporting_schedule_wanted``)."""
    return [{"title": r["title"], "due": _long_date(r["due_on"]), "due_iso": r["due_on"].isoformat(),
             "covers": _covers(r["period_start"], r["period_end"])} for r in signals.reporting_schedule(award)]


def _covers(start: date | None, end: date | None) -> str:
    return f"{start:%B %-d, %Y} to {end:%B %-d, %Y}" if start and end else ""


def _decision_comment(application, kind: str) -> str:
    """The comment staff wrote for the applicant on the move that sends this
    letter (a decline, the waiting list), if any; never the offer's."""
    definition = definition_for(application)
    actions = [f"workflow.{t.trigger}" for t in definition.transitions
               if definition.letter_of(t) == kind and LETTER_READY_GUARD not in t.guards]
    if not actions:
        return ""
    comment = db.session.scalar(select(AuditEvent.comment).where(
        AuditEvent.application_id == application.id, AuditEvent.action.in_(actions),
        AuditEvent.is_visible_to_applicant.is_(True)).order_by(AuditEvent.id.desc()).limit(1))
    return comment or ""


def letter_context(letter: Letter, metadata: dict | None = None) -> dict:
    application = letter.application
    fund = application.round.fund
    settings = fund.settings or {}
    metadata = metadata or {}
    defaults = metadata.get("defaults") or {}
    base_url = current_app.config["BASE_URL"].rstrip("/")
    award = db.session.scalar(select(Award).where(Award.application_id == application.id))
    signatory = {**DEFAULT_SIGNATORY, **(defaults.get("signatory") or {}), **(settings.get("letter_signatory") or {})}
    context = {
        "letter": {"kind": letter.kind, "version": letter.version, "date": _long_date(utcnow().date()),
                   "reference": f"{application.reference}/{letter.kind.upper()}/{letter.version}",
                   "title": str(metadata.get("title") or "")},
        "fund": {"name": fund.name, "funder_name": fund.funder_name,
                 "funder_address_lines": _lines(fund.funder_address)},
        "round": {"name": application.round.name},
        "recipient": recipient(application),
        "application": {"reference": application.reference, "title": application.title or "",
                        "requested": format_usd(application.amount_requested_cents),
                        "amount_requested_cents": application.amount_requested_cents,
                        "submitted_on": _long_date(application.submitted_at.date()
                                                   if application.submitted_at else None)},
        "award": _award_values(award) if award else None,
        "reporting_schedule": reporting_schedule(application, award) if award else [],
        "decision_comment": _decision_comment(application, letter.kind),
        "links": {"application": f"{base_url}/applications/{application.id}",
                  "award": f"{base_url}/awards/{application.id}"},
        "signatory": {"name": str(signatory.get("name", "")), "title": str(signatory.get("title", ""))},
        "release_labels": dict(RELEASE_LABELS),
    }
    return context
