"""Portfolio pages: the administrators' dashboard and exports (background jobs
with a progress page). The public pages are the catalog's (grantflow/catalog)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ..core import cache, jobs, navigation, storage
from ..core.audit import record_event
from ..core.job_pages import job_page
from ..core.policy import allows, load
from .charts_data import dashboard_charts
from .exports import FORMATS
from .filters import FilterError, PortfolioFilters, parse_filters
from .forms import ExportForm, FilterForm, filter_choices
from .queries import summarise
from .tasks import EXPORT_TASK, export_key

bp = Blueprint("portfolio", __name__)

navigation.register("Portfolio", "portfolio.dashboard", ("admin",), order=60)


def _filters_from(values, form: FilterForm) -> PortfolioFilters | None:
    """Parsed filters, or None with each problem attached to its field."""
    try:
        return parse_filters(values)
    except FilterError as exc:
        for key, message in exc.errors.items():
            getattr(form, key).errors = [message]
        return None


@bp.route("/admin/portfolio/")
@allows("view", "portfolio")
def dashboard():
    form = FilterForm(request.args, meta={"csrf": False})
    form.set_choices(filter_choices())
    filters = _filters_from(request.args, form)
    if filters is None:
        return render_template("portfolio/dashboard.html", form=form, summary=None), 400

    def compute():
        summary = summarise(filters)
        figures = render_template("portfolio/_figures.html", summary=summary, charts=dashboard_charts(summary))
        return summary, Markup(figures)

    entry = cache.cached(cache.PORTFOLIO, ("dashboard", *sorted(filters.as_args().items())), compute,
                         fresh=bool(request.args.get("fresh")))
    summary, figures = entry.value
    export_form = ExportForm(formdata=None, data=filters.as_args(), meta={"csrf": False})  # token written by the page
    return render_template("portfolio/dashboard.html", form=form, summary=summary, figures=figures,
                           export_form=export_form, filters=filters, figures_current=entry.current,
                           computed_at=datetime.fromtimestamp(entry.computed_at, timezone.utc))


@bp.route("/admin/portfolio/exports", methods=["POST"])
@allows("start", "export")
def start_export():
    export_form = ExportForm()
    if not export_form.validate():
        problems = "; ".join(f"{getattr(export_form, k).label.text}: {' '.join(v)}"
                             for k, v in export_form.errors.items())
        abort(400, f"The export was not started: {problems}")
    try:
        filters = parse_filters({k: v for k, v in export_form.data.items() if k != "format"})
    except FilterError as exc:
        abort(400, f"The export was not started: {exc}")
    fmt = export_form.format.data
    job = jobs.enqueue(EXPORT_TASK, actor=current_user, format=fmt, filters=filters.as_args(), staff=True)
    record_event(actor=current_user, action="portfolio.export_requested", subject=job,
                 data={"format": fmt, "filters": filters.as_args()})
    return redirect(url_for("portfolio.export_status", job_id=job.id))


@bp.route("/admin/portfolio/exports/<int:job_id>")
@allows("view", "export")
def export_status(job_id: int):
    job = load("export", job_id, "view")
    return job_page("portfolio/export_status.html", job, fmt=FORMATS[job.args["format"]],
                    filters=PortfolioFilters(**job.args.get("filters", {})))


@bp.route("/admin/portfolio/exports/<int:job_id>/download")
@allows("download", "export")
def export_download(job_id: int):
    job = load("export", job_id, "download")
    if job.status != "done" or not job.result.get("file"):
        abort(404)
    fmt = FORMATS[job.args["format"]]
    try:
        return storage.area("exports").send(export_key(job.result["file"]), mimetype=fmt.mimetype,
                                            download_name=job.result["filename"])
    except FileNotFoundError:
        abort(404, "This export file is no longer on the server; start the export again.")
