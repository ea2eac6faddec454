"""The dashboard's charts, built from a ``PortfolioSummary`` (shared by the page and the PDF)."""
from __future__ import annotations

from markupsafe import Markup

from ..core.db import format_usd
from .charts import Bar, bar_chart
from .queries import PortfolioSummary


def _money_bars(slices) -> list[Bar]:
    return [Bar(s.label, s.awarded_cents, format_usd(s.awarded_cents, whole=True)
                + f" ({s.grants} grant{'' if s.grants == 1 else 's'})") for s in slices if s.grants]


def _number(value: float) -> str:
    return f"{value:,.0f}"


def dashboard_charts(summary: PortfolioSummary) -> dict[str, Markup]:
    totals = summary.totals
    charts = {
        "funnel": bar_chart("Funnel: how far applications got",
                            [Bar(label, n, f"{n:,}") for label, n in summary.funnel]),
        "workflow_states": bar_chart("Applications by workflow state",
                                     [Bar(s.label, s.applications, f"{s.applications:,}")
                                      for s in summary.by_workflow_state]),
        "themes": bar_chart("Amount awarded by theme", _money_bars(summary.by_theme),
                            description=None),
        "applicant_types": bar_chart("Amount awarded by applicant type", _money_bars(summary.by_applicant_type)),
        "us_states": bar_chart("Amount awarded by state or territory (top 20)", _money_bars(summary.by_us_state)),
        "money": bar_chart("Amounts requested, awarded and paid", [
            Bar("Requested", totals.requested_cents,
                format_usd(totals.requested_cents, whole=True)),
            Bar("Awarded", totals.awarded_cents, format_usd(totals.awarded_cents, whole=True)),
            Bar("Paid", totals.paid_cents, format_usd(totals.paid_cents, whole=True)),
        ]),
        "metrics": bar_chart(
            "Metrics achieved against targets (percent of target)",
            [Bar(m.label, m.percent or 0, f"{m.percent}%" if m.percent is not None else "no target",
                 marker=100) for m in summary.metrics],
            description="Metrics achieved against targets. " + "; ".join(
                f"{m.label}: {_number(m.actual)} achieved of {_number(m.target)} targeted"
                for m in summary.metrics) + ".",
            marker_label="100% of target"),
    }
    return charts
