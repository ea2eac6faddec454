"""360Giving: the accepted grants as a JSON data package and as a spreadsheet.

One query streams the grants; each is built as a plain dict, checked against the
official grant schema, and written at once. The file is moved into place only
when every grant and the package around them validated, so an invalid package
is never published. Nothing personal is in a grant: organisations only, never the
names, emails or phone numbers of people."""
from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterator

import orjson
import sqlalchemy as sa
from flask import current_app

from ...applications.models import Application
from ...core import formdefs
from ...funds.models import Fund, Round
from ...organisations.models import US_STATES, Organisation
from .. import facts
from ..filters import PortfolioFilters
from ..labels import theme_labels
from ..metrics import METRICS, actual_facts, target_expression
from ..rows import stream
from ..validation import SCHEMA_VERSION, GrantValidator
from .base import ExportError, ExportResult, Progress, atomic_output

PROGRESS_EVERY = 5000
DEFAULT_LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"


@dataclass(frozen=True)
class Publisher:
    prefix: str
    license: str

    @classmethod
    def from_config(cls, fund_id: int | None = None) -> "Publisher":
        """The installation's prefix, or the one a fund's settings give (``giving_prefix``)
        when the package holds that fund's grants only."""
        from ...extensions import db

        fund = db.session.get(Fund, fund_id) if fund_id is not None else None
        prefix = (fund.settings or {}).get("giving_prefix") if fund is not None else None
        return cls(prefix=prefix or current_app.config["PUBLISHER_PREFIX"],
                   license=current_app.config.get("OPEN_DATA_LICENSE") or DEFAULT_LICENSE)


def _raw(column):
    """As the driver returns it: dates and JSON as text on SQLite, objects on PostgreSQL
    (SQLAlchemy's per-value conversions were a third of the export's time)."""
    return sa.type_coerce(column, sa.String)


#: the grant columns, in the order ``build_grant`` unpacks them
GRANT_COLUMNS = ("id", "title", "summary", "amount_requested_cents", "themes", "decided_at", "updated_at",
                 "org_id", "org_name", "us_state", "uei", "ein", "applicant_type", "round_id", "round_name",
                 "round_settings", "fund_slug", "fund_name", "funder_name", "funder_identifier", "award_number",
                 "awarded_cents", "period_start", "period_end", "award_recorded_at", "paid_cents")


def _only(stmt, round_ids):
    """Restricted to these rounds (the public catalog's publishing rounds), when given."""
    return stmt if round_ids is None else stmt.where(Application.round_id.in_(list(round_ids)))


def grants_select(filters: PortfolioFilters, *, with_metrics: bool = False, round_ids=None):
    award, paid = facts.award_facts(), facts.payment_facts()
    summary = formdefs.role_value(Application, "summary")  # the grant's description
    columns = [
        Application.id, Application.title, summary, Application.amount_requested_cents,
        _raw(Application.themes), _raw(Application.decided_at), _raw(Application.updated_at),
        Organisation.id, Organisation.name, Organisation.state, Organisation.uei, Organisation.ein,
        Organisation.applicant_type, Round.id, Round.name, _raw(Round.settings), Fund.slug, Fund.name,
        Fund.funder_name, Fund.funder_identifier, award.c.award_number, award.c.awarded_cents,
        _raw(award.c.period_start), _raw(award.c.period_end), _raw(award.c.award_recorded_at), paid.c.paid_cents,
    ]
    columns = [column.label(name) for column, name in zip(columns, GRANT_COLUMNS)]
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
    # accepted awards only: an offer may still be declined, so it is not yet a grant to publish
    return _only(filters.apply(stmt.where(facts.is_accepted_grant(award))), round_ids).order_by(Application.id)


def count_grants(filters: PortfolioFilters, *, round_ids=None) -> int:
    award = facts.award_facts()
    stmt = (sa.select(sa.func.count(Application.id)).select_from(Application)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .join(Round, Round.id == Application.round_id)
            .join(award, award.c.application_id == Application.id)
            .where(facts.is_accepted_grant(award)))
    from ...extensions import db

    return db.session.execute(_only(filters.apply(stmt), round_ids)).scalar_one()


def _amount(cents) -> int | float:
    """A JSON number in dollars. Whole dollars are integers; otherwise cents / 100
    is the double nearest the decimal amount, whose shortest representation
    (what JSON writers print) is exactly that amount, e.g. 123.45."""
    cents = int(cents or 0)
    return cents // 100 if cents % 100 == 0 else cents / 100


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


def _day(value) -> str:
    """YYYY-MM-DD from a stored date or UTC datetime, text or object."""
    if isinstance(value, str):
        return value[:10]
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def _moment(value) -> str:
    """An RFC 3339 UTC date-time from a stored (naive UTC) datetime, text or object."""
    if isinstance(value, str):
        return f"{value[:10]}T{value[11:19]}+00:00"
    return _iso(value)


def _as_date(value) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


class GrantBuilder:
    """Builds grant dicts from rows; what is shared by many grants (a round's
    programme and funder, a theme's classification) is built once."""

    #: theme lists remembered: a portfolio has thousands of distinct (ordered)
    #: lists, and remembering them all made memory grow with the portfolio
    THEME_LISTS_KEPT = 256

    def __init__(self, publisher: Publisher, labels: dict[str, str]):
        self.prefix = publisher.prefix
        self.labels = labels
        self._programmes: dict = {}
        self._classification: dict[str, dict] = {}
        self._classifications: OrderedDict = OrderedDict()

    def _programme(self, round_id, round_name, settings, fund_slug, fund_name, funder_name, funder_identifier):
        found = self._programmes.get(round_id)
        if found is None:
            settings = json.loads(settings) if isinstance(settings, str) else (settings or {})
            found = self._programmes[round_id] = (
                [{"id": funder_identifier or f"360G-{self.prefix}", "name": funder_name}],
                [{"code": f"{fund_slug}-round-{round_id}", "title": f"{fund_name}: {round_name}"}],
                "No" if settings.get("open_call") is False else "Yes")
        return found

    def _themes(self, raw):
        key = raw if isinstance(raw, str) else json.dumps(raw)
        found = self._classifications.get(key)
        if found is None:
            keys = json.loads(raw) if isinstance(raw, str) else (raw or [])
            found = self._classifications[key] = [self._theme(k) for k in keys]
            if len(self._classifications) > self.THEME_LISTS_KEPT:
                self._classifications.popitem(last=False)
        return found

    def _theme(self, key: str) -> dict:
        found = self._classification.get(key)
        if found is None:
            found = self._classification[key] = {"vocabulary": f"360G-{self.prefix}-themes", "code": key,
                                                 "title": self.labels.get(key, key)}
        return found

    def __call__(self, row) -> dict:
        (app_id, title, summary, requested, themes, decided_at, updated_at, org_id, org_name, us_state, uei, ein,
         _type, round_id, round_name, settings, fund_slug, fund_name, funder_name, funder_identifier,
         _number, awarded, period_start, period_end, award_recorded_at, paid) = row[:len(GRANT_COLUMNS)]
        funders, programmes, open_call = self._programme(round_id, round_name, settings, fund_slug, fund_name,
                                                         funder_name, funder_identifier)
        start, end = _as_date(period_start), _as_date(period_end)
        place = US_STATES.get(us_state, us_state)
        grant = {
            "id": f"360G-{self.prefix}-{app_id}",
            "title": title,
            "description": (summary or "").strip() or title,
            "currency": "USD",
            "amountAwarded": _amount(awarded),
            "amountDisbursed": _amount(paid),
            "awardDate": _day(decided_at or award_recorded_at),
            "plannedDates": [{"startDate": start.isoformat(), "endDate": end.isoformat(),
                              "duration": _months(start, end)}],
            "recipientOrganization": [{"id": recipient_id(self.prefix, org_id, uei, ein), "name": org_name,
                                       "addressRegion": place, "addressCountry": "US"}],
            "beneficiaryLocation": [{"name": place, "countryCode": "US"}],
            "fundingOrganization": funders,
            "grantProgramme": programmes,
            "fromOpenCall": open_call,
            "dateModified": _moment(updated_at),
        }
        if requested is not None:
            grant["amountAppliedFor"] = _amount(requested)
        classifications = self._themes(themes)
        if classifications:
            grant["classifications"] = classifications
        return grant


def iter_grants(filters: PortfolioFilters, *, with_metrics: bool = False,
                round_ids=None) -> Iterator[tuple[dict, object]]:
    """(grant, row) for every matching grant, each validated against the schema."""
    build = GrantBuilder(Publisher.from_config(filters.fund_id), theme_labels())
    validator = GrantValidator()
    for row in stream(grants_select(filters, with_metrics=with_metrics, round_ids=round_ids)):
        grant = build(row)
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


def write_360_json(path, filters: PortfolioFilters, *, progress: Progress | None = None,
                   round_ids=None) -> ExportResult:
    publisher = Publisher.from_config(filters.fund_id)
    total = count_grants(filters, round_ids=round_ids) if progress is not None else None  # only a progress bar needs it
    if total == 0:
        raise ExportError("No accepted grants match these filters (an award counts once the applicant accepts it): "
                          "a 360Giving package needs at least one grant.")
    first = None
    written = awarded = disbursed = 0
    with atomic_output(path, "wb") as handle:
        handle.write(b'{"grants": [\n')
        for grant, row in iter_grants(filters, round_ids=round_ids):
            if first is None:
                first = grant
            else:
                handle.write(b",\n")
            # orjson: a tenth of the standard library's time, and the output is the same JSON
            handle.write(orjson.dumps(grant))
            written += 1
            awarded += int(row.awarded_cents)
            disbursed += int(row.paid_cents or 0)
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written, total)
        if first is None:
            raise ExportError("No accepted grants match these filters (an award counts once the applicant "
                              "accepts it): a 360Giving package needs at least one grant.")
        envelope = package_envelope(filters, publisher, first["fundingOrganization"][0])
        GrantValidator().check_envelope(envelope, first)
        handle.write(b"\n]")
        for key, value in envelope.items():
            handle.write(b",\n" + orjson.dumps(key) + b": " + orjson.dumps(value))
        handle.write(b"\n}\n")
    if progress is not None:
        progress(written, total)
    return ExportResult(path=path, rows=written, totals={"awarded_cents": awarded, "paid_cents": disbursed})
