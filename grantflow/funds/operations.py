"""Verbs on funds and rounds: create a fund; create, edit and close a round
pointing at a workflow, form and rubric version. Each takes the acting user
(None: the command line), validates every value with a message a fund
administrator understands, audits, flushes and never commits.

The command line and the web pages read a round's values with the same
``read_round_terms`` (text as typed, the field names of the web form, which
the command line turns into its ``--options``), so both refuse the same
values with the same words."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy import func, select

from ..core.audit import record_event
from ..core.db import format_usd, utcnow
from ..core.refusal import Refused
from ..extensions import db
from .models import Fund, Round

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")
VERSIONED = re.compile(r"^([a-z][a-z0-9_]*):([1-9][0-9]*)$")


class FundError(Refused):
    """A refused value; ``field`` names the option or form field it concerns."""


def _ensure_admin(actor) -> None:
    if actor is not None and not actor.has_role("admin"):
        raise FundError("Only fund administrators can create and change funds and rounds.")


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


#: field -> its name in a sentence
AMOUNTS = {"budget": "budget", "min_award": "minimum award", "max_award": "maximum award"}


def parse_dollars(value: str, what: str) -> int:
    """``250000`` or ``$250,000.00`` -> cents."""
    words = AMOUNTS.get(what, what)
    try:
        amount = Decimal(str(value).replace("$", "").replace(",", "").strip())
    except InvalidOperation:
        raise FundError(f"The {words} must be an amount in US dollars, for example 250000.", what) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise FundError(f"The {words} must be a positive amount in dollars and cents.", what)
    if amount >= 10**13:
        raise FundError(f"The {words} is too large.", what)
    return int(amount * 100)


#: a reviewer cap or reviewers per application above this is a typing mistake
MAX_REVIEWERS = 20
MAX_REVIEWER_CAP = 500


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
    #: the most applications one reviewer gets in this round (None: each reviewer's own cap)
    reviewer_cap: int | None = None
    is_blind_review: bool = False
    #: the round's funded projects appear in the fund's open data (None: as the fund's settings say)
    publishes_open_data: bool | None = None
    description: str = ""


def _whole(value, what: str, *, lowest: int, highest: int, optional: bool = False) -> int | None:
    text = str(value if value is not None else "").strip()
    if not text and optional:
        return None
    if not text.isdigit() or not lowest <= int(text) <= highest:
        raise FundError(f"Give a whole number from {lowest} to {highest}.", what)
    return int(text)


def _yes(value) -> bool:
    return value is True or str(value).strip().lower() in ("y", "yes", "true", "on", "1")


def read_round_terms(values: Mapping[str, object]) -> RoundTerms:
    """A round's values as typed (web form or command line) -> ``RoundTerms``;
    the first bad value is refused with the name of its field. Keys: name,
    description, workflow, form, rubric (KEY:VERSION), opens, closes
    (YYYY-MM-DDTHH:MM), timezone, budget, min_award, max_award (dollars),
    reviewers_per_application, reviewer_cap (optional), blind, open_data."""
    get = lambda key, default="": values.get(key) if values.get(key) is not None else default  # noqa: E731
    name = str(get("name")).strip()
    if not name:
        raise FundError("Give the round a name.", "name")
    if len(name) > 200:
        raise FundError("Keep the name under 200 characters.", "name")
    zone = str(get("timezone")).strip()
    rubric = str(get("rubric")).strip()
    terms = RoundTerms(
        name=name, description=str(get("description")).strip(),
        workflow=parse_versioned(str(get("workflow")), "workflow"), form=parse_versioned(str(get("form")), "form"),
        rubric=parse_versioned(rubric, "rubric") if rubric else None,
        opens_at=parse_local_time(str(get("opens")), zone, "opens"),
        closes_at=parse_local_time(str(get("closes")), zone, "closes"), timezone=zone,
        budget_cents=parse_dollars(get("budget"), "budget"),
        min_request_cents=parse_dollars(get("min_award", "10000"), "min_award"),
        max_request_cents=parse_dollars(get("max_award", "250000"), "max_award"),
        reviews_per_application=_whole(get("reviewers_per_application", "3"), "reviewers_per_application",
                                       lowest=1, highest=MAX_REVIEWERS),
        reviewer_cap=_whole(get("reviewer_cap"), "reviewer_cap", lowest=1, highest=MAX_REVIEWER_CAP, optional=True),
        is_blind_review=_yes(get("blind", False)),
        publishes_open_data=None if values.get("open_data") is None else _yes(values["open_data"]))
    check_terms(terms)
    return terms


def check_terms(terms: RoundTerms) -> None:
    """What no round may be, whatever front end it came from."""
    check_definitions(terms)
    if terms.closes_at <= terms.opens_at:
        raise FundError("The round must close after it opens.", "closes")
    if terms.min_request_cents > terms.max_request_cents:
        raise FundError(f"The minimum award ({format_usd(terms.min_request_cents)}) is above the maximum "
                        f"({format_usd(terms.max_request_cents)}).", "min_award")
    if terms.max_request_cents > terms.budget_cents > 0:
        raise FundError(f"The maximum award ({format_usd(terms.max_request_cents)}) is above the whole budget "
                        f"({format_usd(terms.budget_cents)}).", "max_award")


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
    check_terms(terms)
    round_ = Round(fund=fund, settings={})
    _apply(round_, terms)
    db.session.add(round_)
    db.session.flush()
    record_event(actor=actor, action="round.created", subject=round_,
                 comment=f"Round “{round_.name}” of {fund.name} created on workflow "
                         f"{round_.workflow_key}:{round_.workflow_version}.",
                 data={"fund": fund.slug, **described(round_)})
    return round_


def _apply(round_: Round, terms: RoundTerms) -> None:
    round_.name, round_.description = terms.name.strip()[:200], terms.description.strip()
    round_.opens_at, round_.closes_at, round_.budget_cents = terms.opens_at, terms.closes_at, terms.budget_cents
    round_.min_request_cents, round_.max_request_cents = terms.min_request_cents, terms.max_request_cents
    round_.workflow_key, round_.workflow_version = terms.workflow
    round_.form_key, round_.form_version = terms.form
    round_.rubric_key, round_.rubric_version = terms.rubric or (None, None)
    round_.reviews_per_application, round_.is_blind_review = terms.reviews_per_application, terms.is_blind_review
    settings = {**(round_.settings or {}), "timezone": terms.timezone}
    for key, value in (("reviewer_cap", terms.reviewer_cap), ("open_data", terms.publishes_open_data)):
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    round_.settings = settings  # a new dict: the JSON column sees the change


def _versioned(key, version) -> str | None:
    return f"{key}:{version}" if key and version else key


def described(round_: Round) -> dict:
    """The round's values as the audit log keeps them (and as an edit compares them)."""
    settings = round_.settings or {}
    return {"name": round_.name, "description": round_.description,
            "workflow": _versioned(round_.workflow_key, round_.workflow_version),
            "form": _versioned(round_.form_key, round_.form_version),
            "rubric": _versioned(round_.rubric_key, round_.rubric_version),
            "opens_at": round_.opens_at.isoformat(), "closes_at": round_.closes_at.isoformat(),
            "timezone": settings.get("timezone", "UTC"), "budget_cents": round_.budget_cents,
            "min_request_cents": round_.min_request_cents, "max_request_cents": round_.max_request_cents,
            "reviews_per_application": round_.reviews_per_application,
            "reviewer_cap": settings.get("reviewer_cap"), "is_blind_review": round_.is_blind_review,
            "open_data": settings.get("open_data")}


#: the applications table's columns the locks read (funds sit below the applications domain)
APPLICATIONS = sa.table("applications", sa.column("round_id"), sa.column("submitted_at"))


def locked_fields(round_: Round) -> dict[str, str]:
    """Field -> why it can no longer change: a running application keeps the
    workflow its round started it on, and a submitted one the form it answered."""
    if round_.id is None:
        return {}
    started, submitted = db.session.execute(
        select(func.count(), func.count(APPLICATIONS.c.submitted_at)).where(APPLICATIONS.c.round_id == round_.id)).one()
    locks = {}
    if started:
        locks["workflow"] = (f"Locked: {started:,} application{'s' if started != 1 else ''} already run on this "
                             "workflow. A new workflow version needs a new round.")
    if submitted:
        locks["form"] = (f"Locked: {submitted:,} application{'s were' if submitted != 1 else ' was'} submitted on "
                         "this form version. A new form version needs a new round.")
    return locks


#: RoundTerms field -> the form field a refusal about it names
_TERM_FIELDS = {"workflow": "workflow", "form": "form"}


def update_round(actor, round_: Round, terms: RoundTerms) -> dict:
    """Change a round; refuses a locked field's change with its reason. Returns
    the changes (field -> [before, after]), audited; nothing when nothing changed."""
    _ensure_admin(actor)
    check_terms(terms)
    before = described(round_)
    locks = locked_fields(round_)
    for term, field in _TERM_FIELDS.items():
        if field in locks and getattr(terms, term) != (getattr(round_, f"{term}_key"), getattr(round_, f"{term}_version")):
            raise FundError(locks[field], field)
    _apply(round_, terms)
    after = described(round_)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        db.session.flush()
        record_event(actor=actor, action="round.updated", subject=round_,
                     comment=f"Round “{round_.name}” changed: {', '.join(sorted(changes))}.", data=changes)
    return changes


def close_round(actor, round_: Round) -> None:
    """Stop taking applications now (drafts stay; nothing more can be submitted)."""
    _ensure_admin(actor)
    now = utcnow().replace(microsecond=0)
    if round_.closes_at <= now:
        raise FundError(f"“{round_.name}” is already closed.")
    if round_.opens_at >= now:
        raise FundError(f"“{round_.name}” has not opened yet: change its dates instead.")
    before = round_.closes_at
    round_.closes_at = now
    db.session.flush()
    record_event(actor=actor, action="round.closed", subject=round_,
                 comment=f"Round “{round_.name}” closed early (it was to close {before:%Y-%m-%d %H:%M} UTC).",
                 data={"closes_at": [before.isoformat(), now.isoformat()]})


def round_values(round_: Round) -> dict[str, str]:
    """A round's values as ``read_round_terms`` takes them (the edit form's starting point)."""
    from zoneinfo import ZoneInfo

    zone = (round_.settings or {}).get("timezone") or "UTC"
    local = lambda moment: moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    dollars = lambda cents: f"{cents / 100:.2f}".removesuffix(".00")  # noqa: E731
    cap = (round_.settings or {}).get("reviewer_cap")
    form_version = round_.form_version or newest_form_version(round_.form_key)
    rubric_version = round_.rubric_version or newest_rubric_version(round_.rubric_key)
    return {"name": round_.name, "description": round_.description or "",
            "workflow": f"{round_.workflow_key}:{round_.workflow_version}",
            "form": f"{round_.form_key}:{form_version}" if form_version else "",
            "rubric": f"{round_.rubric_key}:{rubric_version}" if rubric_version else "",
            "opens": local(round_.opens_at), "closes": local(round_.closes_at), "timezone": zone,
            "budget": dollars(round_.budget_cents), "min_award": dollars(round_.min_request_cents),
            "max_award": dollars(round_.max_request_cents),
            "reviewers_per_application": str(round_.reviews_per_application),
            "reviewer_cap": str(cap) if cap else "", "blind": round_.is_blind_review,
            "open_data": publishes(round_)}


def newest_form_version(key: str | None) -> int | None:
    from ..core.formdefs import FormNotFound, load_form

    try:
        return load_form("applications", key).version if key else None
    except FormNotFound:
        return None


def newest_rubric_version(key: str | None) -> int | None:
    """A round without a rubric version scores against the newest file of its key."""
    from pathlib import Path

    from flask import current_app

    if not key:
        return None
    found = [re.match(rf"^{re.escape(key)}\.v([0-9]+)\.yaml$", p.name)
             for p in (Path(current_app.config["FORMS_DIR"]) / "rubrics").glob(f"{key}.v*.yaml")]
    return max((int(m.group(1)) for m in found if m), default=None)


def fund_publishes(fund: Fund) -> bool:
    """The fund's open-data choice, or the deployment's for every fund (GRANTFLOW_OPEN_DATA=1)."""
    from flask import current_app

    return bool(current_app.config.get("OPEN_DATA_ALL_FUNDS")) or bool((fund.settings or {}).get("open_data"))


def publishes(round_: Round) -> bool:
    """The round's own open-data choice, else its fund's: the one rule of the public
    catalog, its downloads and the API (grantflow/catalog/publishing.py)."""
    own = (round_.settings or {}).get("open_data")
    return bool(own) if own is not None else fund_publishes(round_.fund)
