"""The export job: run by an RQ worker (or in-process without Redis), reporting
progress on its ``BackgroundJob`` row, storing the file in the ``exports``
storage area."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from ..core import jobs, outbox, storage
from ..core.models import BackgroundJob
from ..extensions import db
from .exports import FORMATS, ExportError
from .filters import PortfolioFilters

EXPORT_TASK = "grantflow.portfolio.tasks.export_portfolio"
EXPORT_SUBDIR = "portfolio"


def export_key(relative: str) -> str:
    """An export's key in the ``exports`` storage area."""
    return f"{EXPORT_SUBDIR}/{relative}"


def referenced_export_keys(keys: list[str]) -> set[str]:
    """The files of finished export jobs (the public catalog vouches for its own downloads)."""
    job_ids = set()
    for key in keys:
        folder, _, name = key.partition("/")
        if folder == EXPORT_SUBDIR and name.partition("-")[0].isdigit():
            job_ids.add(int(name.partition("-")[0]))
    finished = db.session.scalars(select(BackgroundJob).where(BackgroundJob.id.in_(job_ids),
                                                              BackgroundJob.task == EXPORT_TASK))
    made = {export_key(job.result["file"]) for job in finished if (job.result or {}).get("file")}
    return {key for key in keys if key in made}


storage.REFERENCED_BY["exports"].append(referenced_export_keys)


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

    def progress(done: int, total: int) -> None:
        jobs.report_progress(job, done, total)

    kwargs = {"staff": staff} if FORMATS[format].has_staff_columns else {}
    files = storage.area("exports")
    try:
        with files.new_file(export_key(relative)) as path:
            result = FORMATS[format].write(path, portfolio_filters, progress=progress, **kwargs)
            size = path.stat().st_size
    except ExportError as exc:
        return {"problem": str(exc)}
    outbox.on_rollback(files.delete, export_key(relative))
    return {"file": relative, "filename": filename, "rows": result.rows, "bytes": size}
