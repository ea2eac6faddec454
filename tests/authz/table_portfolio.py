"""Authorisation table: the portfolio (dashboard, exports, public open data). Format: README.md."""
from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from grantflow.core import storage
from grantflow.portfolio.tasks import EXPORT_TASK, export_key
from tests import factories
from tests.factories_portfolio import create_case


def _export_job(s):
    job = BackgroundJob(task=EXPORT_TASK, args={"format": "csv", "filters": {}}, status="done",
                        created_by_id=s.admin.id)
    db.session.add(job)
    db.session.flush()
    relative = f"{job.id}-authz.csv"
    storage.area("exports").put_bytes(export_key(relative), b"Application ID\n")
    job.result = {"file": relative, "filename": "authz.csv", "rows": 0}
    return job


def _open_fund(s):
    fund = factories.create_fund(slug="open-fund", settings={"open_data": True})
    create_case(factories.create_round(fund), state="active", awarded=2_000_000)
    return fund


SCENARIO = {"export_job": _export_job, "open_fund": _open_fund}
URL_ARGS = {"job_id": "export_job.id", "slug": "open_fund.slug"}

ADMIN_ONLY = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 200}
EVERYONE = {"anonymous": 200, "applicant": 200, "other_applicant": 200, "reviewer": 200, "admin": 200}

ROUTES = {
    "portfolio.dashboard": ADMIN_ONLY,
    "portfolio.start_export": {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403,
                               "admin": 302, "data": {"format": "csv"}},
    "portfolio.export_status": ADMIN_ONLY,
    "portfolio.export_download": ADMIN_ONLY,
    "portfolio.open_data": EVERYONE,
    "portfolio.open_data_fund": EVERYONE,
    "portfolio.open_data_360": EVERYONE,
}
