"""Exports from the browser: a background job, a progress page, a download."""
from __future__ import annotations

import csv
import io

import pytest

from grantflow.core import storage
from grantflow.core.models import AuditEvent, BackgroundJob
from grantflow.extensions import db
from grantflow.portfolio.tasks import EXPORT_TASK, export_key
from tests.factories_portfolio import PORTFOLIO_FIGURES as FIG
from tests.factories_portfolio import create_portfolio


def export_jobs():
    """Export jobs only (creating reviews also queues calibration refreshes)."""
    return db.session.query(BackgroundJob).filter_by(task=EXPORT_TASK)


@pytest.fixture
def admin(f):
    return f.create_user("admin", name="Ada Admin")


@pytest.mark.parametrize("fmt, mimetype", [
    ("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("360giving", "application/json"), ("360giving-xlsx",
                                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("pdf", "application/pdf"),
])
def test_an_admin_exports_every_format_through_a_job(client, login_as, admin, fmt, mimetype, storage_backend):
    create_portfolio()
    login_as(admin)
    response = client.post("/admin/portfolio/exports", data={"format": fmt})
    assert response.status_code == 302
    status_page = client.get(response.headers["Location"])
    html = status_page.get_data(as_text=True)
    assert "Ready:" in html and "http-equiv=\"refresh\"" not in html
    job = export_jobs().one()
    download = client.get(f"/admin/portfolio/exports/{job.id}/download")
    assert download.status_code == 200
    assert download.mimetype == mimetype
    assert "attachment" in download.headers["Content-Disposition"]
    stored = list(storage.area("exports").list())
    assert [o.key for o in stored] == [export_key(job.result["file"])]
    assert download.data == storage.area("exports").read_bytes(stored[0].key) and len(download.data) > 100
    assert job.result["bytes"] == stored[0].size
    assert db.session.query(AuditEvent).filter_by(action="portfolio.export_requested").count() == 1


def test_the_export_keeps_the_dashboard_filters(client, login_as, admin):
    create_portfolio()
    login_as(admin)
    dashboard = client.get("/admin/portfolio/?us_state=IA").get_data(as_text=True)
    assert 'name="us_state" type="hidden" value="IA"' in dashboard
    client.post("/admin/portfolio/exports", data={"format": "csv", "us_state": "IA"})
    job = export_jobs().one()
    assert job.args["filters"] == {"us_state": "IA"}
    rows = list(csv.DictReader(io.StringIO(client.get(f"/admin/portfolio/exports/{job.id}/download")
                                           .get_data(as_text=True))))
    assert {r["State or territory"] for r in rows} == {"IA"} and len(rows) == 2


def test_a_running_export_page_refreshes_itself_without_javascript(client, login_as, admin):
    login_as(admin)
    job = BackgroundJob(task="grantflow.portfolio.tasks.export_portfolio", args={"format": "csv", "filters": {}},
                        status="running", progress_done=4000, progress_total=10000)
    db.session.add(job)
    db.session.commit()
    page = client.get(f"/admin/portfolio/exports/{job.id}")
    html = page.get_data(as_text=True)
    assert page.headers["Refresh"] == "3" and "http-equiv" not in html  # a <meta> refresh cannot be stopped
    assert "Stop reloading" in html
    stopped = client.get(f"/admin/portfolio/exports/{job.id}?refresh=off")
    assert "Refresh" not in stopped.headers and "Check again" in stopped.get_data(as_text=True)
    assert "4,000 of 10,000" in html and 'value="40"' in html
    assert client.get(f"/admin/portfolio/exports/{job.id}/download").status_code == 404


def test_a_problem_with_the_data_is_shown_not_crashed(client, login_as, admin, f):
    f.create_application(state="submitted")
    login_as(admin)
    response = client.post("/admin/portfolio/exports", data={"format": "360giving"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The export could not be made: No accepted grants match these filters" in html


def test_bad_export_requests_are_refused_with_a_reason(client, login_as, admin):
    login_as(admin)
    response = client.post("/admin/portfolio/exports", data={"format": "docx"})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    response = client.post("/admin/portfolio/exports", data={"format": "csv", "us_state": "ZZ"})
    assert response.status_code == 400 and "not a US state" in response.get_data(as_text=True)
    assert export_jobs().count() == 0


def test_other_jobs_are_not_downloadable_here(client, login_as, admin):
    login_as(admin)
    job = BackgroundJob(task="grantflow.core.tasks.database_health", args={}, status="done",
                        result={"file": "../../secret_key", "filename": "x"})
    db.session.add(job)
    db.session.commit()
    assert client.get(f"/admin/portfolio/exports/{job.id}").status_code == 404
    assert client.get(f"/admin/portfolio/exports/{job.id}/download").status_code == 404


@pytest.mark.parametrize("role", ["applicant", "reviewer"])
def test_only_admins_may_export(client, login_as, f, role):
    create_portfolio()
    login_as(f.create_user(role))
    assert client.get("/admin/portfolio/").status_code == 403
    assert client.post("/admin/portfolio/exports", data={"format": "csv"}).status_code == 403
    assert export_jobs().count() == 0


def test_export_figures_match_the_dashboard(client, login_as, admin):
    create_portfolio()
    login_as(admin)
    client.post("/admin/portfolio/exports", data={"format": "csv"})
    job = export_jobs().one()
    assert job.result["rows"] == FIG["applications"]
