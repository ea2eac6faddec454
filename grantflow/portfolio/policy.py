"""Who may do what to the portfolio and its exports (``core.policy``): staff
read the dashboard and start and download exports (which hold every
application). The public catalog is the catalog's (``grantflow/catalog``)."""
from __future__ import annotations

from ..core.models import BackgroundJob
from ..core.policy import kind, staff
from ..extensions import db


def _export(job_id):
    from .tasks import EXPORT_TASK  # (the export machinery loads only when an export is asked for)

    job = db.session.get(BackgroundJob, job_id)
    return job if job is not None and job.task == EXPORT_TASK else None


kind("portfolio").action("view")(staff)
kind("export", fetch=_export).action("start", "view", "download")(staff)
