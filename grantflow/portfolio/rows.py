"""The portfolio as rows: one per application, every domain's facts joined in one
SELECT and streamed (``yield_per``: a server-side cursor on PostgreSQL), so an
export holds a few thousand rows in memory whatever the size of the portfolio.

``COLUMNS`` is the single list behind the CSV and XLSX exports: a header, a SQL
expression and a kind that says how the raw value is written."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterator

import sqlalchemy as sa

from ..applications.models import Application
from ..extensions import db
from ..funds.models import Fund, Round
from ..organisations.models import Organisation
from . import facts
from .filters import PortfolioFilters
from .metrics import METRICS, actual_facts, target_expression

BATCH = 2000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    #: builds the SQL expression from the joined subqueries
    expression: Callable
    #: text, int, money (cents), date, score, themes
    kind: str = "text"
    #: names of people: left out of anything but a staff export
    is_staff_only: bool = False


def _columns() -> list[Column]:
    cols = [
        Column("application_id", "Application ID", lambda j: Application.id, "int"),
        Column("reference", "Reference", lambda j: Application.id, "reference"),
        Column("fund", "Fund", lambda j: Fund.name),
        Column("round_id", "Round ID", lambda j: Round.id, "int"),
        Column("round", "Round", lambda j: Round.name),
        Column("organisation_id", "Organisation ID", lambda j: Organisation.id, "int"),
        Column("organisation", "Organisation", lambda j: Organisation.name),
        Column("applicant_type", "Applicant type (BusinessTypes)", lambda j: Organisation.applicant_type),
        Column("us_state", "State or territory", lambda j: Organisation.state),
        Column("uei", "UEI", lambda j: Organisation.uei),
        Column("ein", "EIN", lambda j: Organisation.ein),
        Column("title", "Project title", lambda j: Application.title),
        Column("themes", "Themes", lambda j: Application.themes, "themes"),
        Column("workflow_state", "Workflow state", lambda j: Application.state),
        Column("submitted_on", "Submitted on", lambda j: Application.submitted_at, "date"),
        Column("decided_on", "Decided on", lambda j: Application.decided_at, "date"),
        Column("review_count", "Reviews submitted", lambda j: j["reviews"].c.review_count, "int"),
        Column("raw_score", "Raw score (mean, 0-100)", lambda j: j["reviews"].c.raw_score, "score"),
        Column("reviewers", "Reviewers", lambda j: j["reviewers"].c.reviewers, is_staff_only=True),
        Column("amount_requested", "Amount requested (USD)", lambda j: Application.amount_requested_cents,
               "money"),
        Column("award_number", "Award number", lambda j: j["award"].c.award_number),
        # a declined offer keeps its award number but holds no grant, as on the dashboard
        Column("amount_awarded", "Amount awarded (USD)",
               lambda j: sa.case((facts.is_grant(j["award"]), j["award"].c.awarded_cents)), "money"),
        Column("amount_paid", "Amount paid (USD)", lambda j: j["paid"].c.paid_cents, "money"),
        Column("period_start", "Period start", lambda j: j["award"].c.period_start, "date"),
        Column("period_end", "Period end", lambda j: j["award"].c.period_end, "date"),
    ]
    for key, label in METRICS.items():
        cols.append(Column(f"target_{key}", f"Target: {label}", lambda j, k=key: target_expression(k), "number"))
    for key, label in METRICS.items():
        cols.append(Column(f"actual_{key}", f"Actual: {label}", lambda j, k=key: j["actuals"].c[k], "number"))
    return cols


COLUMNS = _columns()


def columns_for(*, staff: bool) -> list[Column]:
    return [c for c in COLUMNS if staff or not c.is_staff_only]


def _joins() -> dict:
    return {"award": facts.award_facts(), "paid": facts.payment_facts(), "reviews": facts.review_facts(),
            "reviewers": facts.reviewer_facts(), "actuals": actual_facts()}


def rows_select(filters: PortfolioFilters, columns: list[Column]):
    """The one SELECT behind the tabular exports, ordered by application id."""
    j = _joins()
    stmt = (sa.select(*[c.expression(j).label(c.key) for c in columns]).select_from(Application)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .join(Round, Round.id == Application.round_id)
            .join(Fund, Fund.id == Round.fund_id))
    for name in ("award", "paid", "reviews", "reviewers", "actuals"):
        stmt = stmt.outerjoin(j[name], j[name].c.application_id == Application.id)
    return filters.apply(stmt).order_by(Application.id)


def count_rows(filters: PortfolioFilters) -> int:
    stmt = (sa.select(sa.func.count(Application.id)).select_from(Application)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .join(Round, Round.id == Application.round_id))
    return db.session.execute(filters.apply(stmt)).scalar_one()


def stream(stmt) -> Iterator[tuple]:
    """Rows in batches from a streaming cursor; nothing accumulates."""
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    for partition in result.partitions():
        yield from partition


# -- writing values --------------------------------------------------------------------------------

def money_text(cents) -> str:
    if cents is None:
        return ""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def date_text(value) -> str:
    # dates and datetimes alike: the ISO date, the first ten characters
    return "" if value is None else value.isoformat()[:10]


def score_text(value) -> str:
    return "" if value is None else f"{value:.2f}"


def number_text(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def themes_list(value, labels: dict[str, str]) -> str:
    keys = json.loads(value) if isinstance(value, str) else (value or [])
    return "; ".join(labels.get(key, key) for key in keys)


def text_formatters(columns: list[Column], labels: dict[str, str]) -> list[Callable | None]:
    """One function per column turning a raw value into CSV text (None: as is)."""
    by_kind = {
        "money": money_text, "date": date_text, "score": score_text, "number": number_text,
        "reference": lambda value: f"L2G-{value:05d}",
        "themes": lambda value: themes_list(value, labels),
    }
    return [by_kind.get(c.kind) for c in columns]
