"""What the API takes and returns, as pydantic models: the same classes check
the query strings (``queries.parse``) and describe them in the OpenAPI document."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..awards.models import TRANCHE_STATUSES
from ..reporting.models import REPORT_STATES
from .paging import DEFAULT_LIMIT, MAX_LIMIT

_DIGITS = re.compile(r"[0-9]{1,19}")
#: the largest id a row can have: id columns are PostgreSQL ``integer``, and comparing one with a
#: larger number is a database error there (not an empty answer), so a larger id is refused up front
MAX_ROW_ID = 2**31 - 1


def _digits_only(value):
    """Query strings carry text: only plain ASCII digits are a number (no sign,
    spaces, underscores or decimals that int() would quietly accept)."""
    if isinstance(value, str):
        if not _DIGITS.fullmatch(value):
            raise ValueError("must be a whole number written with digits only")
        return int(value)
    return value


# the bounds first: applied to the int, they are written into the document as minimum/maximum
Id = Annotated[int, Field(ge=1, le=MAX_ROW_ID), BeforeValidator(_digits_only)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT), BeforeValidator(_digits_only)]
Cursor = Annotated[str, Field(min_length=1, max_length=400,
                              description="next_cursor of the previous page, exactly as received")]


class Query(BaseModel):
    # a mistyped filter (``?roundid=3``) is a 400, never silently ignored into a longer list
    model_config = ConfigDict(extra="forbid")


class PageQuery(Query):
    limit: Limit = Field(DEFAULT_LIMIT, description=f"rows per page, 1 to {MAX_LIMIT}")
    cursor: Cursor | None = None


class RoundsQuery(PageQuery):
    fund_id: Id | None = Field(None, description="only this fund's rounds")


class GrantsQuery(PageQuery):
    fund_id: Id | None = None
    round_id: Id | None = None


class AdminApplicationsQuery(PageQuery):
    round_id: Id | None = None
    #: the document lists the states of the loaded workflows (spec.WORKFLOW_STATES)
    state: Annotated[str, Field(min_length=1, max_length=60, description="a workflow state name",
                                json_schema_extra={"x-grantflow-values": "workflow-states"})] | None = None


class AdminAwardsQuery(PageQuery):
    round_id: Id | None = None
    accepted: Literal["true", "false"] | None = Field(None, description="only accepted (or not yet accepted) awards")


class AdminPaymentsQuery(PageQuery):
    round_id: Id | None = None
    status: Literal[TRANCHE_STATUSES] | None = None  # type: ignore[valid-type]


class AdminReportsQuery(PageQuery):
    round_id: Id | None = None
    state: Literal[tuple(REPORT_STATES)] | None = None  # type: ignore[valid-type]


# ---- responses -------------------------------------------------------------------------------------------

class Problem(BaseModel):
    """RFC 9457 problem details (served as application/problem+json)."""
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    invalid_params: list[dict] | None = None


class Fund(BaseModel):
    id: int
    slug: str
    name: str
    description: str
    funder_name: str
    publishes_open_data: bool


class Round(BaseModel):
    id: int
    fund_id: int
    name: str
    description: str
    opens_at: datetime
    closes_at: datetime
    is_open: bool
    budget_cents: int
    min_request_cents: int
    max_request_cents: int


class Grant(BaseModel):
    """An accepted award of a fund that publishes open data: no personal data."""
    reference: str
    fund_id: int
    round_id: int
    title: str
    organisation: str
    us_state: str | None
    themes: list[str]
    amount_awarded_cents: int
    period_start: date
    period_end: date
    accepted_on: date


class Scores(BaseModel):
    reviews_submitted: int
    raw_mean: float | None = Field(description="mean weighted score of the submitted reviews, 0-100")
    calibrated: float | None = Field(description="the round's calibrated merit, 0-100 (reviewer leniency removed)")


class AdminApplication(BaseModel):
    id: int
    reference: str
    round_id: int
    organisation_id: int
    organisation: str
    title: str
    state: str
    state_label: str
    stage: str
    amount_requested_cents: int | None
    submitted_at: datetime | None
    decided_at: datetime | None
    scores: Scores


class Award(BaseModel):
    id: int
    application_id: int
    award_number: str
    amount_cents: int
    paid_cents: int
    period_start: date
    period_end: date
    accepted_at: datetime | None


class Payment(BaseModel):
    id: int
    award_id: int
    application_id: int
    sequence: int
    label: str
    release_on: str
    amount_cents: int
    due_date: date | None
    status: str
    released_at: datetime | None
    paid_at: datetime | None


class Report(BaseModel):
    id: int
    application_id: int
    kind: str
    sequence: int
    title: str
    state: str
    due_on: date
    submitted_at: datetime | None
    reviewed_at: datetime | None


class TimelineEntry(BaseModel):
    at: datetime
    title: str
    actor: str
    comment: str | None


class MyApplication(BaseModel):
    id: int
    reference: str
    round_id: int
    title: str
    status: str = Field(description="the status as applicants see it")
    amount_requested_cents: int | None
    submitted_at: datetime | None
    decided_at: datetime | None
    updated_at: datetime


class MyApplicationDetail(MyApplication):
    timeline: list[TimelineEntry]


def listing(model: type[BaseModel]) -> type[BaseModel]:
    """``{"data": [...], "next_cursor": ...}`` of ``model``, named for the document."""
    return type(f"{model.__name__}List", (BaseModel,), {
        "__annotations__": {"data": list[model], "next_cursor": str | None},
        "__doc__": f"A page of {model.__name__} rows; next_cursor is null on the last page.",
        "__module__": __name__,
    })


FundList, RoundList, GrantList = listing(Fund), listing(Round), listing(Grant)
AdminApplicationList, AwardList = listing(AdminApplication), listing(Award)
PaymentList, ReportList, MyApplicationList = listing(Payment), listing(Report), listing(MyApplication)
