"""Authorisation table: the portfolio (dashboard, exports; the public pages are in table_catalog.py). Format: README.md."""
from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from grantflow.core import storage
from grantflow.portfolio.tasks import EXPORT_TASK, export_key


def _export_job(s):
    job = BackgroundJob(task=EXPORT_TASK, args={"format": "csv", "filters": {}}, status="done",
                        created_by_id=s.admin.id)
    db.session.add(job)
    db.session.flush()
    relative = f"{job.id}-authz.csv"
    storage.area("exports").put_bytes(export_key(relative), b"Application ID\n")
    job.result = {"file": relative, "filename": "authz.csv", "rows": 0}
    return job


SCENARIO = {"export_job": _export_job}
URL_ARGS = {"job_id": "export_job.id"}

ADMIN_ONLY = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 200}

ROUTES = {
    "portfolio.dashboard": ADMIN_ONLY,
    "portfolio.start_export": {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403,
                               "admin": 302, "data": {"format": "csv"}},
    "portfolio.export_status": ADMIN_ONLY,
    "portfolio.export_download": ADMIN_ONLY,
}
