"""360Giving: the awarded grants as a JSON data package and as a spreadsheet.

One query streams the grants; each is built as a plain dict, checked against the
official grant schema, and written at once. The file is moved into place only
when every grant and the package around them validated, so an invalid package
is never published. Nothing personal is in a grant: organisations only, never the
names, emails or phone numbers of people."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterator

import sqlalchemy as sa
from flask import current_app

from ...applications.models import Application
from ...funds.models import Fund, Round
from ...organisations.models import US_STATES, Organisation
from .. import facts
from ..filters import PortfolioFilters
from ..labels import theme_labels
from ..metrics import METRICS, actual_facts, target_expression
from ..rows import money_text, stream
from ..validation import SCHEMA_VERSION, GrantValidator
from .base import ExportError, ExportResult, Progress, atomic_output

PROGRESS_EVERY = 5000
#: the application form's project summary, used as the grant's description
DESCRIPTION_ANSWER = "project_summary"
DEFAULT_LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"


@dataclass(frozen=True)
class Publisher:
    prefix: str
    license: str

    @classmethod
    def from_config(cls) -> "Publisher":
        return cls(prefix=current_app.config["PUBLISHER_PREFIX"],
                   license=current_app.config.get("OPEN_DATA_LICENSE") or DEFAULT_LICENSE)


def grants_select(filters: PortfolioFilters, *, with_metrics: bool = False):
    award, paid = facts.award_facts(), facts.payment_facts()
    summary = Application.answers[DESCRIPTION_ANSWER].as_string()
    columns = [
        Application.id, Application.title, summary.label("summary"), Application.amount_requested_cents,
        Application.themes, Application.decided_at, Application.updated_at,
        Organisation.id.label("org_id"), Organisation.name.label("org_name"), Organisation.state.label("us_state"),
        Organisation.uei, Organisation.ein, Organisation.applicant_type,
        Round.id.label("round_id"), Round.name.label("round_name"), Round.settings.label("round_settings"),
        Fund.slug.label("fund_slug"), Fund.name.label("fund_name"), Fund.funder_name, Fund.funder_identifier,
        award.c.award_number, award.c.awarded_cents, award.c.period_start, award.c.period_end,
        award.c.award_recorded_at, paid.c.paid_cents,
    ]
    actuals = actual_facts() if with_metrics else None
    if with_metrics:
        columns += [target_expression(key).label(f"target_{key}") for key in METRICS]
        columns += [actuals.c[key].label(f"actual_{key}") for key in METRICS]
    stmt = (sa.select(*columns).select_from(Application)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .join(Round, Round.id == Application.round_id)
            .join(Fund, Fund.id == Round.fund_id)
            .join(award, award.c.application_id == Application.id)
            .outerjoin(paid, paid.c.application_id == Application.id))
    if with_metrics:
        stmt = stmt.outerjoin(actuals, actuals.c.application_id == Application.id)
    return filters.apply(stmt.where(facts.is_grant(award))).order_by(Application.id)


def count_grants(filters: PortfolioFilters) -> int:
    award = facts.award_facts()
    stmt = (sa.select(sa.func.count(Application.id)).select_from(Application)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .join(Round, Round.id == Application.round_id)
            .join(award, award.c.application_id == Application.id)
            .where(facts.is_grant(award)))
    from ...extensions import db

    return db.session.execute(filters.apply(stmt)).scalar_one()


def _amount(cents) -> int | float:
    """A JSON number in dollars, exact: whole dollars as integers."""
    cents = int(cents or 0)
    return cents // 100 if cents % 100 == 0 else float(money_text(cents))


def _months(start: date, end: date) -> int:
    return max(1, (end.year - start.year) * 12 + end.month - start.month + (1 if end.day >= start.day else 0))


def recipient_id(prefix: str, org_id: int, uei: str | None, ein: str | None) -> str:
    """org-id.guide: SAM.gov UEI first, then the IRS EIN, else our own 360G id."""
    if uei and uei.strip():
        return f"US-SAM-{uei.strip().upper()}"
    if ein and ein.strip():
        return f"US-EIN-{ein.strip().replace('-', '')}"
    return f"360G-{prefix}-org-{org_id}"


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat(timespec="seconds")


def build_grant(row, publisher: Publisher, labels: dict[str, str]) -> dict:
    prefix = publisher.prefix
    themes = json.loads(row.themes) if isinstance(row.themes, str) else (row.themes or [])
    award_day = (row.decided_at or row.award_recorded_at).date()
    grant = {
        "id": f"360G-{prefix}-{row.id}",
        "title": row.title,
        "description": (row.summary or "").strip() or row.title,
        "currency": "USD",
        "amountAwarded": _amount(row.awarded_cents),
        "amountDisbursed": _amount(row.paid_cents),
        "awardDate": award_day.isoformat(),
        "plannedDates": [{"startDate": row.period_start.isoformat(), "endDate": row.period_end.isoformat(),
                          "duration": _months(row.period_start, row.period_end)}],
        "recipientOrganization": [{
            "id": recipient_id(prefix, row.org_id, row.uei, row.ein), "name": row.org_name,
            "addressRegion": US_STATES.get(row.us_state, row.us_state), "addressCountry": "US"}],
        "beneficiaryLocation": [{"name": US_STATES.get(row.us_state, row.us_state), "countryCode": "US"}],
        "fundingOrganization": [{"id": row.funder_identifier or f"360G-{prefix}", "name": row.funder_name}],
        "grantProgramme": [{"code": f"{row.fund_slug}-round-{row.round_id}",
                            "title": f"{row.fund_name}: {row.round_name}"}],
        "fromOpenCall": "No" if (row.round_settings or {}).get("open_call") is False else "Yes",
        "dateModified": _iso(row.updated_at),
    }
    if row.amount_requested_cents is not None:
        grant["amountAppliedFor"] = _amount(row.amount_requested_cents)
    if themes:
        grant["classifications"] = [{"vocabulary": f"360G-{prefix}-themes", "code": key,
                                     "title": labels.get(key, key)} for key in themes]
    return grant


def iter_grants(filters: PortfolioFilters, *, with_metrics: bool = False) -> Iterator[tuple[dict, object]]:
    """(grant, row) for every matching grant, each validated against the schema."""
    publisher = Publisher.from_config()
    labels = theme_labels()
    validator = GrantValidator()
    for row in stream(grants_select(filters, with_metrics=with_metrics)):
        grant = build_grant(row, publisher, labels)
        validator.check_grant(grant)
        yield grant, row


def package_envelope(filters: PortfolioFilters, publisher: Publisher, funder: dict | None) -> dict:
    now = datetime.now(timezone.utc)
    envelope = {
        "version": SCHEMA_VERSION,
        "title": "Local-to-Global Engagement Fund: awarded grants",
        "issued": now.date().isoformat(),
        "modified": _iso(now),
        "license": publisher.license,
    }
    if funder:
        envelope["publisher"] = {"name": funder["name"], "identifier": funder["id"]}
    if not filters.is_empty:
        envelope["description"] = "Filtered by " + "; ".join(filters.describe()) + "."
    return envelope


def write_360_json(path, filters: PortfolioFilters, *, progress: Progress | None = None) -> ExportResult:
    publisher = Publisher.from_config()
    total = count_grants(filters) if progress is not None else None  # only a progress bar needs it
    if total == 0:
        raise ExportError("No awarded grants match these filters: a 360Giving package needs at least one grant.")
    first = None
    written = awarded = disbursed = 0
    with atomic_output(path, "w", encoding="utf-8") as handle:
        handle.write('{"grants": [\n')
        for grant, row in iter_grants(filters):
            if first is None:
                first = grant
            else:
                handle.write(",\n")
            handle.write(json.dumps(grant, ensure_ascii=False, separators=(",", ":")))
            written += 1
            awarded += int(row.awarded_cents)
            disbursed += int(row.paid_cents or 0)
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written, total)
        if first is None:
            raise ExportError("No awarded grants match these filters: a 360Giving package needs at least one "
                              "grant.")
        envelope = package_envelope(filters, publisher, first["fundingOrganization"][0])
        GrantValidator().check_envelope(envelope, first)
        handle.write("\n]")
        for key, value in envelope.items():
            handle.write(f",\n{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
        handle.write("\n}\n")
    if progress is not None:
        progress(written, total)
    return ExportResult(path=path, rows=written, totals={"awarded_cents": awarded, "paid_cents": disbursed})
