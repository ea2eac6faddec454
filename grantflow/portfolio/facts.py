"""Per-application facts from every domain, as subqueries keyed by application id.

The portfolio is one row per application. Each domain that knows something about
an application (its award, its payments, its reviews, its reports) contributes a
subquery here with one row per application, aggregated in SQL, so the dashboard
and the exports join a fixed number of subqueries whatever the number of
applications, and never run a query per row."""
from __future__ import annotations

import sqlalchemy as sa

from ..applications.models import Application
from ..awards.models import Award
from ..core.workflow import meaning
from ..extensions import db
from ..reporting.models import Disbursement
from ..reviews.models import ReviewAssignment, Review
from ..users.models import User

#: stages in which an application that once had an award no longer holds a grant
#: (the applicant declined the offer); every other application with an Award row is a grant
NOT_A_GRANT_STAGES = ("refused", "retracted")


def award_facts():
    """The award terms: one row per awarded application (``awards.application_id`` is unique)."""
    return sa.select(
        Award.application_id,
        Award.id.label("award_id"),
        Award.award_number,
        Award.amount_cents.label("awarded_cents"),
        Award.period_start,
        Award.period_end,
        Award.created_at.label("award_recorded_at"),
        Award.accepted_at,
    ).subquery("award")


def payment_facts():
    """Money actually paid (disbursements), summed per application."""
    return (sa.select(Disbursement.application_id,
                      sa.func.sum(Disbursement.amount_cents).label("paid_cents"),
                      sa.func.max(Disbursement.paid_on).label("last_paid_on"))
            .group_by(Disbursement.application_id)
            .subquery("paid"))


def review_facts():
    """Submitted reviews: the raw mean of the weighted scores (0-100) and how many."""
    return (sa.select(Review.application_id,
                      sa.func.avg(Review.weighted_score).label("raw_score"),
                      sa.func.count(Review.id).label("review_count"))
            .where(Review.status == "submitted")
            .group_by(Review.application_id)
            .subquery("reviews"))


def reviewer_facts():
    """The names of the reviewers who hold (or held and completed) an assignment.

    Staff only: never part of a public export."""
    names = sa.func.aggregate_strings(User.name, "; ")
    return (sa.select(ReviewAssignment.application_id, names.label("reviewers"))
            .join(User, User.id == ReviewAssignment.reviewer_id)
            .where(ReviewAssignment.status == "active")
            .group_by(ReviewAssignment.application_id)
            .subquery("reviewers"))


def is_grant(award) -> sa.ColumnElement[bool]:
    """An application counts as a grant when it has award terms and was not declined."""
    return sa.and_(award.c.award_id.isnot(None), sa.not_(meaning.in_stages(Application, *NOT_A_GRANT_STAGES)))


def is_accepted_grant(award) -> sa.ColumnElement[bool]:
    """A grant anyone may be told about (360Giving, the public catalog): the applicant accepted the
    award (its acceptance record) and the workflow declares the application a grant (funded, closing
    or completed). An offer not yet answered, a letter still pending, a declined or withdrawn award
    is none of these, even though its award terms exist."""
    return sa.and_(award.c.award_id.isnot(None), award.c.accepted_at.isnot(None),
                   meaning.in_stages(Application, *meaning.GRANT_STAGES))


def theme_elements():
    """A table-valued function listing each application's theme keys, one row per theme.

    JSON arrays are unnested by each database's own function; everything else in
    the portfolio is portable SQL."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.json_array_elements_text(Application.themes).table_valued("value").alias("theme")
    return sa.func.json_each(Application.themes).table_valued("value").alias("theme")
