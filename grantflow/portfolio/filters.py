"""The portfolio filters, shared by the dashboard, the exports, the CLI and the jobs.

A filter set is a small frozen value: parsed once from a query string or the
command line (with a message per bad value), stored in a job's arguments as plain
values, and turned into WHERE clauses on the one portfolio query."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime, timezone

import sqlalchemy as sa

from ..applications.models import Application
from ..funds.models import Fund, Round
from ..organisations.models import APPLICANT_TYPES, US_STATES, Organisation
from ..extensions import db

THEME_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
FIRST_YEAR, LAST_YEAR = 2000, 2100

#: labels shown in error messages and in the "filtered by" line of exports
LABELS = {
    "fund_id": "Fund", "round_id": "Round", "us_state": "State or territory", "theme": "Theme",
    "applicant_type": "Applicant type", "workflow_state": "Workflow state", "year": "Year submitted",
}


@dataclass(frozen=True)
class PortfolioFilters:
    fund_id: int | None = None
    round_id: int | None = None
    us_state: str | None = None
    theme: str | None = None
    applicant_type: str | None = None
    workflow_state: str | None = None
    #: the calendar year (UTC) the application was submitted; drafts have none
    year: int | None = None

    def as_args(self) -> dict:
        """Plain values for a URL, a job's arguments or a file name (unset ones left out).
        Read field by field (all ints or strings: asdict's deep copy was only cost,
        and the dashboard asks for these three times a request)."""
        return {f.name: value for f in fields(self) if (value := getattr(self, f.name)) is not None}

    @property
    def is_empty(self) -> bool:
        return not self.as_args()

    def apply(self, stmt):
        """Add the WHERE clauses; ``stmt`` must already join Organisation and Round."""
        if self.fund_id is not None:
            stmt = stmt.where(Round.fund_id == self.fund_id)
        if self.round_id is not None:
            stmt = stmt.where(Application.round_id == self.round_id)
        if self.us_state is not None:
            stmt = stmt.where(Organisation.state == self.us_state)
        if self.applicant_type is not None:
            stmt = stmt.where(Organisation.applicant_type == self.applicant_type)
        if self.workflow_state is not None:
            stmt = stmt.where(Application.state == self.workflow_state)
        if self.theme is not None:
            # themes is a JSON list of keys; matching the quoted key in its text is
            # exact (keys are [a-z0-9_-]) and works the same on SQLite and PostgreSQL
            stmt = stmt.where(sa.cast(Application.themes, sa.Text).contains(f'"{self.theme}"', autoescape=True))
        if self.year is not None:
            start = datetime(self.year, 1, 1, tzinfo=timezone.utc)
            end = datetime(self.year + 1, 1, 1, tzinfo=timezone.utc)
            stmt = stmt.where(Application.submitted_at >= start, Application.submitted_at < end)
        return stmt

    def describe(self, names: dict[str, dict] | None = None) -> list[str]:
        """Human-readable lines ("Round: Spring 2026") for exports and the PDF."""
        names = names or {}
        lines = []
        for key, value in self.as_args().items():
            shown = names.get(key, {}).get(value, value)
            lines.append(f"{LABELS[key]}: {shown}")
        return lines


class FilterError(ValueError):
    """Bad filter values; ``errors`` maps each field to a message for the user."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{LABELS[k]}: {v}" for k, v in errors.items()))
        self.errors = errors


def known_workflow_states() -> dict[str, str]:
    """Every state of every loaded workflow, with its staff label."""
    from ..core.workflow import definitions

    found: dict[str, str] = {}
    for definition in definitions():
        for name, state in definition.states.items():
            found.setdefault(name, state.label)
    return found


def _int(value, field_name: str, errors: dict) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[field_name] = f"“{value}” is not a whole number."
        return None
    if number <= 0:
        errors[field_name] = "Must be a positive number."
        return None
    return number


def parse_filters(values, *, check_ids: bool = True) -> PortfolioFilters:
    """Build filters from a mapping of strings (query string, CLI options).

    Empty values mean "any". Raises ``FilterError`` naming every bad value; with
    ``check_ids`` a fund or round that does not exist is an error too (one query each)."""
    errors: dict[str, str] = {}
    raw = {f.name: (values.get(f.name) or None) for f in fields(PortfolioFilters)}
    raw = {k: (v.strip() if isinstance(v, str) else v) or None for k, v in raw.items()}
    parsed: dict = {}
    for key in ("fund_id", "round_id"):
        if raw[key] is not None:
            parsed[key] = _int(raw[key], key, errors)
    if raw["year"] is not None:
        year = _int(raw["year"], "year", errors)
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            errors["year"] = f"Give a year between {FIRST_YEAR} and {LAST_YEAR}."
        else:
            parsed["year"] = year
    if raw["us_state"] is not None:
        code = str(raw["us_state"]).upper()
        if code not in US_STATES:
            errors["us_state"] = f"“{raw['us_state']}” is not a US state or territory code (e.g. IA, PR)."
        parsed["us_state"] = code
    if raw["applicant_type"] is not None:
        code = str(raw["applicant_type"]).upper()
        if code not in APPLICANT_TYPES:
            errors["applicant_type"] = (f"“{raw['applicant_type']}” is not an applicant type; use one of "
                                        + ", ".join(APPLICANT_TYPES) + ".")
        parsed["applicant_type"] = code
    if raw["theme"] is not None:
        if not THEME_KEY.match(str(raw["theme"])):
            errors["theme"] = f"“{raw['theme']}” is not a theme key (lower-case letters, digits, - and _)."
        parsed["theme"] = str(raw["theme"])
    if raw["workflow_state"] is not None:
        states = known_workflow_states()
        if raw["workflow_state"] not in states:
            errors["workflow_state"] = (f"“{raw['workflow_state']}” is not a workflow state; use one of "
                                        + ", ".join(sorted(states)) + ".")
        parsed["workflow_state"] = str(raw["workflow_state"])
    if check_ids and not errors:
        if parsed.get("fund_id") and db.session.get(Fund, parsed["fund_id"]) is None:
            errors["fund_id"] = f"There is no fund {parsed['fund_id']}."
        if parsed.get("round_id") and db.session.get(Round, parsed["round_id"]) is None:
            errors["round_id"] = f"There is no round {parsed['round_id']}."
    if errors:
        raise FilterError(errors)
    return PortfolioFilters(**parsed)
