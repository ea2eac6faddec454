"""Verbs on funds and rounds: create a fund, create a round pointing at a
workflow, form and rubric version. Each takes the acting user (None: the
command line), validates every value with a message a fund administrator
understands, audits, flushes and never commits."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from ..core.audit import record_event
from ..core.db import format_usd
from ..core.refusal import Refused
from ..extensions import db
from .models import Fund, Round

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")
VERSIONED = re.compile(r"^([a-z][a-z0-9_]*):([1-9][0-9]*)$")


class FundError(Refused):
    """A refused value; ``field`` names the option or form field it concerns."""


def _ensure_admin(actor) -> None:
    if actor is not None and not actor.has_role("admin"):
        raise FundError("Only fund administrators can create funds and rounds.")


def create_fund(actor, *, slug: str, name: str, funder_name: str | None = None) -> Fund:
    _ensure_admin(actor)
    slug, name = (slug or "").strip(), (name or "").strip()
    if not SLUG.match(slug):
        raise FundError("The short name must be 3 to 80 lower-case letters, digits and hyphens, "
                        "for example local-to-global.", "slug")
    if not name:
        raise FundError("Give the fund's name.", "name")
    if db.session.scalar(select(Fund.id).where(Fund.slug == slug)) is not None:
        raise FundError(f"A fund with the short name “{slug}” already exists.", "slug")
    fund = Fund(slug=slug, name=name[:200], funder_name=(funder_name or name)[:200])
    db.session.add(fund)
    db.session.flush()
    record_event(actor=actor, action="fund.created", subject=fund, comment=f"Fund “{fund.name}” created.",
                 data={"slug": slug, "name": fund.name})
    return fund


def parse_versioned(value: str, what: str) -> tuple[str, int]:
    """``KEY:VERSION`` (``local_to_global:2``)."""
    match = VERSIONED.match((value or "").strip())
    if not match:
        raise FundError(f"Name the {what} as KEY:VERSION, for example local_to_global:1.", what)
    return match.group(1), int(match.group(2))


def parse_local_time(value: str, zone: str, what: str) -> datetime:
    """``YYYY-MM-DDTHH:MM`` in the time zone ``zone`` -> an aware UTC datetime."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise FundError(f"“{zone}” is not a time zone; use a name such as America/New_York.", "timezone") from None
    try:
        local = datetime.strptime((value or "").strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        raise FundError(f"Give the {what} date and time as YYYY-MM-DDTHH:MM, for example 2027-01-15T09:00.",
                        what) from None
    return local.replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))


def parse_dollars(value: str, what: str) -> int:
    """``250000`` or ``$250,000.00`` -> cents."""
    try:
        amount = Decimal(str(value).replace("$", "").replace(",", "").strip())
    except InvalidOperation:
        raise FundError(f"The {what} must be an amount in US dollars, for example 250000.", what) from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise FundError(f"The {what} must be a positive amount in dollars and cents.", what)
    return int(amount * 100)


@dataclass
class RoundTerms:
    name: str
    workflow: tuple[str, int]
    form: tuple[str, int]
    rubric: tuple[str, int] | None
    opens_at: datetime
    closes_at: datetime
    timezone: str
    budget_cents: int
    min_request_cents: int = 1_000_000
    max_request_cents: int = 25_000_000
    reviews_per_application: int = 3
    is_blind_review: bool = False
    description: str = ""


def check_definitions(terms: RoundTerms) -> None:
    """The workflow, form and rubric exist (every loaded definition passed its checks at start-up)."""
    from pathlib import Path

    from flask import current_app

    from ..core.formdefs import FormNotFound, load_form
    from ..core.workflow import WorkflowError, get_definition

    try:
        get_definition(*terms.workflow)
    except WorkflowError:
        raise FundError(f"There is no workflow {terms.workflow[0]} version {terms.workflow[1]} in workflows/ "
                        "(grantflow workflows check lists them).", "workflow") from None
    try:
        load_form("applications", *terms.form)
    except FormNotFound:
        raise FundError(f"There is no application form {terms.form[0]} version {terms.form[1]} in "
                        "forms/applications/ (grantflow forms check lists them).", "form") from None
    # rubrics are checked when the app starts (reviews domain); funds sit below it, so look for the file
    rubric_file = Path(current_app.config["FORMS_DIR"]) / "rubrics" / (
        f"{terms.rubric[0]}.v{terms.rubric[1]}.yaml" if terms.rubric else "")
    if terms.rubric is not None and not rubric_file.is_file():
        raise FundError(f"There is no rubric {terms.rubric[0]} version {terms.rubric[1]} in forms/rubrics/.",
                        "rubric")


def create_round(actor, fund: Fund, terms: RoundTerms) -> Round:
    _ensure_admin(actor)
    if not terms.name.strip():
        raise FundError("Give the round a name.", "name")
    check_definitions(terms)
    if terms.closes_at <= terms.opens_at:
        raise FundError("The round must close after it opens.", "closes")
    if terms.min_request_cents > terms.max_request_cents:
        raise FundError(f"The minimum award ({format_usd(terms.min_request_cents)}) is above the maximum "
                        f"({format_usd(terms.max_request_cents)}).", "min_award")
    if not 1 <= terms.reviews_per_application <= 20:
        raise FundError("Reviewers per application must be between 1 and 20.", "reviewers_per_application")
    round_ = Round(
        fund=fund, name=terms.name.strip()[:200], description=terms.description.strip(),
        opens_at=terms.opens_at, closes_at=terms.closes_at, budget_cents=terms.budget_cents,
        min_request_cents=terms.min_request_cents, max_request_cents=terms.max_request_cents,
        workflow_key=terms.workflow[0], workflow_version=terms.workflow[1],
        form_key=terms.form[0], form_version=terms.form[1],
        rubric_key=terms.rubric[0] if terms.rubric else None, rubric_version=terms.rubric[1] if terms.rubric else None,
        reviews_per_application=terms.reviews_per_application, is_blind_review=terms.is_blind_review,
        settings={"timezone": terms.timezone})
    db.session.add(round_)
    db.session.flush()
    record_event(actor=actor, action="round.created", subject=round_,
                 comment=f"Round “{round_.name}” of {fund.name} created on workflow "
                         f"{round_.workflow_key}:{round_.workflow_version}.",
                 data={"fund": fund.slug, "workflow": f"{round_.workflow_key}:{round_.workflow_version}",
                       "form": f"{round_.form_key}:{round_.form_version}",
                       "rubric": f"{round_.rubric_key}:{round_.rubric_version}" if round_.rubric_key else None,
                       "opens_at": round_.opens_at.isoformat(), "closes_at": round_.closes_at.isoformat(),
                       "timezone": terms.timezone, "budget_cents": round_.budget_cents})
    return round_
