"""The PDF portfolio report: totals, the dashboard's charts and tables, metrics
against targets and the success stories whose authors consented to publication.

The template is a folder (``templates/reports_pdf/portfolio/``: ``report.html``
and ``report.css``) that administrators may edit; it is rendered by the shared
sandboxed renderer (``grantflow.core.pdf``) from plain values only."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app

from ..charts_data import dashboard_charts
from ..filters import PortfolioFilters
from ..queries import summarise
from .base import ExportError, ExportResult, Progress, atomic_output

TEMPLATE_FOLDER = ("reports_pdf", "portfolio")
TEMPLATE_NAME = "report.html"
STORIES_IN_REPORT = 30


def template_dir() -> Path:
    return Path(current_app.config["TEMPLATES_DIR"]).joinpath(*TEMPLATE_FOLDER)


def report_context(filters: PortfolioFilters) -> dict:
    """Everything the template shows, as plain values (dicts, lists, strings, numbers)."""
    summary = summarise(filters, stories=STORIES_IN_REPORT)
    charts = dashboard_charts(summary)
    return {
        "generated_at": datetime.now(timezone.utc).strftime("%B %-d, %Y %H:%M UTC"),
        "filters": filters.describe(_filter_names(filters)),
        "totals": asdict(summary.totals),
        "funnel": [{"label": label, "count": n} for label, n in summary.funnel],
        "by_workflow_state": [asdict(s) for s in summary.by_workflow_state],
        "by_theme": [asdict(s) for s in summary.by_theme],
        "by_applicant_type": [asdict(s) for s in summary.by_applicant_type],
        "by_us_state": [asdict(s) for s in summary.by_us_state],
        "metrics": [dict(asdict(m), percent=m.percent) for m in summary.metrics],
        "stories": [asdict(s) for s in summary.stories],
        "stories_total": summary.stories_total,
        # Markup, so the sandbox's autoescaping keeps the SVG as SVG
        "charts": dict(charts),
    }


def _filter_names(filters: PortfolioFilters) -> dict[str, dict]:
    """Names for the ids in the filters ("Round: Spring 2026" rather than "Round: 3")."""
    from ...extensions import db
    from ...funds.models import Fund, Round

    names: dict[str, dict] = {}
    if filters.fund_id:
        fund = db.session.get(Fund, filters.fund_id)
        names["fund_id"] = {filters.fund_id: fund.name if fund else filters.fund_id}
    if filters.round_id:
        round_ = db.session.get(Round, filters.round_id)
        names["round_id"] = {filters.round_id: round_.name if round_ else filters.round_id}
    return names


def render_report(context: dict) -> bytes:
    """The one place the PDF is made: the shared sandboxed renderer, which confines
    WeasyPrint to the template's own folder."""
    from ...core.pdf import PdfTemplateError, render_pdf

    try:
        return render_pdf(template_dir(), context, template_name=TEMPLATE_NAME)
    except PdfTemplateError as exc:
        raise ExportError(f"The PDF report template has a problem: {exc}") from exc


def write_pdf(path, filters: PortfolioFilters, *, progress: Progress | None = None) -> ExportResult:
    if progress is not None:
        progress(0, 2)
    context = report_context(filters)
    if progress is not None:
        progress(1, 2)
    pdf = render_report(context)
    with atomic_output(path, "wb") as handle:
        handle.write(pdf)
    if progress is not None:
        progress(2, 2)
    return ExportResult(path=path, rows=context["totals"]["applications"], totals=context["totals"])
