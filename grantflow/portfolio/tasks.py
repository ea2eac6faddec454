"""The export job: run by an RQ worker (or in-process without Redis), reporting
progress on its ``BackgroundJob`` row, writing the file under EXPORT_DIR."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from flask import current_app

from ..core import jobs
from .exports import FORMATS, ExportError
from .filters import PortfolioFilters

EXPORT_TASK = "grantflow.portfolio.tasks.export_portfolio"
EXPORT_SUBDIR = "portfolio"


def export_file_path(relative: str) -> Path:
    """Only names produced by this module, inside EXPORT_DIR/portfolio."""
    base = (Path(current_app.config["EXPORT_DIR"]) / EXPORT_SUBDIR).resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base):
        raise ValueError(f"{relative} is outside the export folder")
    return path


def export_filename(format_name: str, filters: PortfolioFilters, when: datetime) -> str:
    fmt = FORMATS[format_name]
    parts = [f"{k}-{v}" for k, v in filters.as_args().items()]
    stem = "-".join(["portfolio", format_name.replace("360giving", "360g"), *parts, f"{when:%Y%m%d-%H%M%S}"])
    return f"{stem}.{fmt.extension}"


def export_portfolio(job, format: str, filters: dict, staff: bool = True) -> dict:
    """Write one export for an administrator. A problem with the data itself (no
    awarded grant matches, a grant that would not validate) is a result the page
    shows, not a crash."""
    portfolio_filters = PortfolioFilters(**filters)
    filename = export_filename(format, portfolio_filters, datetime.now(timezone.utc))
    relative = f"{job.id}-{filename}"
    path = export_file_path(relative)

    def progress(done: int, total: int) -> None:
        jobs.report_progress(job, done, total)

    kwargs = {"staff": staff} if FORMATS[format].has_staff_columns else {}
    try:
        result = FORMATS[format].write(path, portfolio_filters, progress=progress, **kwargs)
    except ExportError as exc:
        return {"problem": str(exc)}
    return {"file": relative, "filename": filename, "rows": result.rows,
            "bytes": path.stat().st_size}
