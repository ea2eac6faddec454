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


def latest_accepted_reports():
    """Per application, its latest accepted report. A report gives what was
    achieved since the grant began (cumulative), so the latest one holds the
    grant's achievement; figures still awaiting acceptance are not counted."""
    ranked = (sa.select(Report.application_id, Report.metrics,
                        sa.func.row_number().over(partition_by=Report.application_id,
                                                  order_by=(Report.period_end.desc(), Report.id.desc()))
                        .label("position"))
              .where(Report.state == "accepted")
              .subquery("ranked_reports"))
    return sa.select(ranked.c.application_id, ranked.c.metrics).where(ranked.c.position == 1).subquery("latest")


def actual_facts():
    """Per application, the figures of its latest accepted report, one column per metric (the exports' rows)."""
    latest = latest_accepted_reports()
    # grouped (one row per application already) so that SQLite materialises it with
    # an index on application_id instead of scanning it for every application
    return (sa.select(latest.c.application_id,
                      *[sa.func.max(whole(latest.c.metrics[key])).label(key) for key in METRICS])
            .group_by(latest.c.application_id)
            .subquery("actuals"))


def _figure(value):
    """A figure read out of a JSON object's values (text on PostgreSQL) as a whole number."""
    return sa.cast(sa.func.round(sa.cast(value, sa.Float)), sa.BigInteger)


def _each(json_object, name: str):
    """Each key and value of a JSON object, one row each (each database's own
    function): every row's object is read once, whatever the number of metrics."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.json_each_text(json_object).table_valued("key", "value").alias(name)
    return sa.func.json_each(json_object).table_valued("key", "value").alias(name)


def metric_totals(filters) -> list[MetricTotal]:
    """Targets and actuals of every metric over the matching grants: targets (the
    application's answers) and actuals (its latest accepted report) summed per
    metric, and how many grants have an accepted report. Three queries."""
    from .queries import portfolio_select

    award, latest = facts.award_facts(), latest_accepted_reports()

    def grants(*columns):
        return portfolio_select(*columns, award=award).where(facts.is_grant(award))

    targets = _each(formdefs.role_value(Application, "targets", convert=lambda element: element.as_json()), "target")
    actuals = _each(latest.c.metrics, "actual")
    by_metric = {}
    for side, values in (("target", targets), ("actual", actuals)):
        stmt = grants(values.c.key, sa.func.sum(_figure(values.c.value)))
        if side == "actual":
            stmt = stmt.join(latest, latest.c.application_id == Application.id)
        stmt = stmt.join(values, sa.true()).where(values.c.key.in_(list(METRICS))).group_by(values.c.key)
        for key, total in db.session.execute(filters.apply(stmt)):
            by_metric[side, key] = float(total or 0)
    reporting = db.session.scalar(filters.apply(
        grants(sa.func.count()).join(latest, latest.c.application_id == Application.id)))
    return [MetricTotal(key, label, by_metric.get(("target", key), 0.0), by_metric.get(("actual", key), 0.0),
                        reporting) for key, label in METRICS.items()]
