"""The portfolio as rows: one per application, every domain's facts joined in one
SELECT and streamed (a server-side cursor on PostgreSQL), so an export holds a
few thousand rows in memory whatever the size of the portfolio.

``COLUMNS`` is the single list behind the CSV and XLSX exports: a header, a SQL
expression and a kind that says how the raw value is written. Values are read as
the driver returns them (dates and JSON as text on SQLite, as objects on
PostgreSQL) and formatted once, here: SQLAlchemy's per-value conversions were
half the cost of a 100,000-row export."""
from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable, Iterator

import sqlalchemy as sa

from ..applications.models import Application
from ..extensions import db
from ..funds.models import Fund, Round
from ..organisations.models import Organisation
from ..reviews.models import CalibratedScore
from . import facts
from .calibration import RoundCalibrations
from .cells import neutralised
from .filters import PortfolioFilters
from .metrics import METRICS, actual_facts, target_expression

BATCH = 500


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    #: builds the SQL expression from the joined subqueries
    expression: Callable
    #: text, int, money (cents), date, score, themes, reference, calibrated
    kind: str = "text"
    #: names of people: left out of anything but a staff export
    is_staff_only: bool = False


def _raw(column):
    """The column without SQLAlchemy's result conversion (see the module docstring)."""
    return sa.type_coerce(column, sa.String)


def _columns() -> list[Column]:
    cols = [
        Column("application_id", "Application ID", lambda j: Application.id, "int"),
        Column("reference", "Reference", lambda j: Application.id, "reference"),
        Column("fund", "Fund", lambda j: Fund.name),
        Column("round_id", "Round ID", lambda j: Round.id, "int"),
        Column("round", "Round", lambda j: Round.name),
        Column("organisation_id", "Organization ID", lambda j: Organisation.id, "int"),
        Column("organisation", "Organization", lambda j: Organisation.name),
        Column("applicant_type", "Applicant type (BusinessTypes)", lambda j: Organisation.applicant_type),
        Column("us_state", "State or territory", lambda j: Organisation.state),
        Column("uei", "UEI", lambda j: Organisation.uei),
        Column("ein", "EIN", lambda j: Organisation.ein),
        Column("title", "Project title", lambda j: Application.title),
        Column("themes", "Themes", lambda j: _raw(Application.themes), "themes"),
        Column("workflow_state", "Workflow state", lambda j: Application.state),
        Column("submitted_on", "Submitted on", lambda j: _raw(Application.submitted_at), "date"),
        Column("decided_on", "Decided on", lambda j: _raw(Application.decided_at), "date"),
        Column("review_count", "Reviews submitted", lambda j: j["reviews"].c.review_count, "int"),
        Column("raw_score", "Raw score (mean, 0-100)", lambda j: j["reviews"].c.raw_score, "score"),
        Column("calibrated_score", "Calibrated score (0-100)", lambda j: CalibratedScore.merit, "calibrated"),
        Column("reviewers", "Reviewers", lambda j: j["reviewers"].c.reviewers, is_staff_only=True),
        Column("requested", "Amount requested (USD)", lambda j: Application.amount_requested_cents,
               "money"),
        Column("award_number", "Award number", lambda j: j["award"].c.award_number),
        # a declined offer keeps its award number but holds no grant, as on the dashboard
        Column("amount_awarded", "Amount awarded (USD)",
               lambda j: sa.case((facts.is_grant(j["award"]), j["award"].c.awarded_cents)), "money"),
        Column("amount_paid", "Amount paid (USD)", lambda j: j["paid"].c.paid_cents, "money"),
        Column("period_start", "Period start", lambda j: _raw(j["award"].c.period_start), "date"),
        Column("period_end", "Period end", lambda j: _raw(j["award"].c.period_end), "date"),
    ]
    for key, label in METRICS.items():
        cols.append(Column(f"target_{key}", f"Target: {label}", lambda j, k=key: target_expression(k), "int"))
    for key, label in METRICS.items():
        cols.append(Column(f"actual_{key}", f"Actual: {label}", lambda j, k=key: j["actuals"].c[k], "int"))
    return cols


COLUMNS = _columns()


def columns_for(*, staff: bool) -> list[Column]:
    return [c for c in COLUMNS if staff or not c.is_staff_only]


def _joins() -> dict:
    return {"award": facts.award_facts(), "paid": facts.payment_facts(), "reviews": facts.review_facts(),
            "reviewers": facts.reviewer_facts(), "actuals": actual_facts()}


def rows_select(filters: PortfolioFilters, columns: list[Column]):
    """The one SELECT behind the tabular exports, ordered by round (a round whose
    stored calibration is out of date is fitted when the stream reaches it) then
    application id. Its first two columns are always the application and round ids."""
    j = _joins()
    keys = [Application.id.label("_application_id"), Round.id.label("_round_id")]
    stmt = (sa.select(*keys, *[c.expression(j).label(c.key) for c in columns]).select_from(Application)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .join(Round, Round.id == Application.round_id)
            .join(Fund, Fund.id == Round.fund_id))
    for name in ("award", "paid", "reviews", "reviewers", "actuals"):
        stmt = stmt.outerjoin(j[name], j[name].c.application_id == Application.id)
    if any(c.kind == "calibrated" for c in columns):
        stmt = stmt.outerjoin(CalibratedScore, CalibratedScore.application_id == Application.id)
    return filters.apply(stmt).order_by(Application.round_id, Application.id)


def count_rows(filters: PortfolioFilters) -> int:
    stmt = (sa.select(sa.func.count(Application.id)).select_from(Application)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .join(Round, Round.id == Application.round_id))
    return db.session.execute(filters.apply(stmt)).scalar_one()


def stream_batches(stmt) -> Iterator[list]:
    """Batches of rows from a streaming cursor (Core, no ORM); nothing accumulates."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # PostgreSQL plans a cursor for fetching its first 10% of rows quickly
        # (nested loops); an export reads every row, so plan for all of them
        # (a 10,000-row CSV: 1.78 s -> 0.66 s)
        connection.execute(sa.text("SET LOCAL cursor_tuple_fraction = 1.0"))
    result = connection.execute(stmt.execution_options(yield_per=BATCH))
    yield from result.partitions()


def stream(stmt) -> Iterator[tuple]:
    for batch in stream_batches(stmt):
        yield from batch


# -- writing values --------------------------------------------------------------------------------

def money_text(cents) -> str:
    if cents is None:
        return ""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def date_text(value) -> str:
    """ISO date from a stored date or datetime, text (SQLite) or object (PostgreSQL)."""
    if value is None:
        return ""
    return value[:10] if isinstance(value, str) else value.isoformat()[:10]


def date_value(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if hasattr(value, "date") else value


def score_text(value) -> str:
    return "" if value is None else f"{value:.2f}"


def theme_keys(value) -> list[str]:
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


class ThemeNames:
    """Theme lists to labels, memoised for the most recent lists only: a portfolio
    has thousands of distinct (ordered) lists, and keeping them all made memory
    grow with the portfolio."""

    KEPT = 256

    def __init__(self, labels: dict[str, str]):
        self.labels = labels
        self.cache: OrderedDict[str, str] = OrderedDict()

    def __call__(self, value) -> str:
        key = value if isinstance(value, str) else json.dumps(value)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = "; ".join(self.labels.get(k, k) for k in theme_keys(value))
            if len(self.cache) > self.KEPT:
                self.cache.popitem(last=False)
        return found


def row_converter(columns: list[Column], labels: dict[str, str], *, as_text: bool) -> Callable[[tuple], list]:
    """A function turning one streamed row into the values to write: text for CSV,
    typed values (numbers, dates) for XLSX."""
    themes = ThemeNames(labels)
    calibrations = RoundCalibrations()
    if as_text:
        by_kind = {"money": money_text, "date": date_text, "score": score_text, "themes": themes,
                   "reference": lambda value: f"L2G-{value:05d}"}
    else:
        by_kind = {"money": lambda c: None if c is None else Decimal(int(c)) / 100, "date": date_value,
                   "score": lambda v: None if v is None else round(float(v), 2), "themes": themes,
                   "reference": lambda value: f"L2G-{value:05d}"}
    # One expression per column, compiled once into a single function: a
    # 100,000-row export calls it 100,000 times, and a loop over 40 columns per
    # row cost more than writing the file.
    # free text (names, titles, themes) may begin like a formula: neutralised
    # here, once, for every tabular format (portfolio.cells)
    namespace = {"calibrated": lambda round_id, app_id, stored:
                 score(calibrations.score(round_id, app_id, stored)), "cell": neutralised}
    parts = []
    for index, column in enumerate(columns):
        source = f"row[{index + 2}]"  # the application and round ids come first
        if column.kind == "calibrated":
            parts.append(f"calibrated(row[1], row[0], {source})")
        elif column.kind in by_kind:
            namespace[f"f{index}"] = by_kind[column.kind]
            call = f"f{index}({source})"
            parts.append(f"cell({call})" if column.kind == "themes" else call)
        elif column.kind == "text":
            parts.append(f"cell({source})")
        else:
            parts.append(source)
    score = by_kind["score"]
    return eval(f"lambda row: [{', '.join(parts)}]", namespace)  # noqa: S307 (built from our own columns)
