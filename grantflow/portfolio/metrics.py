"""Metrics achieved against targets.

Targets are answers of the application form (its question with ``role: targets``,
see forms/README.md); actuals are reported in the grant's reports, cumulative since the
grant began (copied by the reporting domain into ``reports.metrics``). Both are
summed in SQL over the grants that match the filters."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..applications.models import Application
from ..core import formdefs
from ..extensions import db
from ..reporting.metrics import METRICS  # the keys shared by the application and report forms
from ..reporting.models import Report
from . import facts



@dataclass(frozen=True)
class MetricTotal:
    key: str
    label: str
    target: float
    actual: float
    grants_reporting: int

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return round(100 * self.actual / self.target)


def whole(json_value):
    """A JSON number as a whole number in SQL (the forms accept whole numbers only;
    rounding first means a stray 12.0 can never fail PostgreSQL's integer cast)."""
    return sa.cast(sa.func.round(json_value.as_float()), sa.BigInteger)


def target_expression(key: str):
    return formdefs.role_value(Application, "targets", key, convert=whole)


def actual_facts():
    """Per application, the figures of its latest accepted report. A report gives
    what was achieved since the grant began (cumulative), so the latest one holds
    the grant's achievement; figures still awaiting acceptance are not counted."""
    ranked = (sa.select(Report.application_id, Report.metrics,
                        sa.func.row_number().over(partition_by=Report.application_id,
                                                  order_by=(Report.period_end.desc(), Report.id.desc()))
                        .label("position"))
              .where(Report.state == "accepted")
              .subquery("ranked_reports"))
    # grouped (one row per application already) so that SQLite materialises it with
    # an index on application_id instead of scanning it for every application
    return (sa.select(ranked.c.application_id,
                      *[sa.func.max(whole(ranked.c.metrics[key])).label(key) for key in METRICS])
            .where(ranked.c.position == 1)
            .group_by(ranked.c.application_id)
            .subquery("actuals"))


def metric_totals(filters) -> list[MetricTotal]:
    """One query: targets and actuals of every metric over the matching grants."""
    from .queries import portfolio_select

    award, actuals = facts.award_facts(), actual_facts()
    columns = []
    for key in METRICS:
        columns.append(sa.func.coalesce(sa.func.sum(target_expression(key)), 0).label(f"target_{key}"))
        columns.append(sa.func.coalesce(sa.func.sum(actuals.c[key]), 0).label(f"actual_{key}"))
    stmt = portfolio_select(sa.func.count(actuals.c.application_id).label("reporting"), *columns, award=award)
    stmt = stmt.outerjoin(actuals, actuals.c.application_id == Application.id).where(facts.is_grant(award))
    row = db.session.execute(filters.apply(stmt)).one()
    return [MetricTotal(key, label, float(row._mapping[f"target_{key}"]), float(row._mapping[f"actual_{key}"]),
                        row.reporting) for key, label in METRICS.items()]
