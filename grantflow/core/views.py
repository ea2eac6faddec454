"""The home page (a different one per role), the health check, and Retry on a job's page."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from . import jobs, navigation
from .audit import record_event
from .models import BackgroundJob
from .permissions import admin_required

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("core/landing.html")
    # the first home page the user's roles allow, most powerful role first
    for role, endpoint in (("admin", "staff.dashboard"), ("reviewer", "reviews.queue"),
                           ("applicant", "applications.mine")):
        if current_user.has_role(role) and endpoint in current_app.view_functions:
            return redirect(url_for(endpoint))
    return render_template("core/landing.html")


@bp.route("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": db.engine.dialect.name}


def _local(target: str | None) -> str | None:
    """A path on this site (the job's own page), never another host."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//") \
            or "\\" in (target or ""):
        return None
    return target


@bp.route("/admin/jobs/<int:job_id>/retry", methods=["POST"])
@admin_required
def retry_job(job_id: int):
    """Retry on a job page: a failed job, or one whose worker died."""
    job = db.session.get(BackgroundJob, job_id) or abort(404)
    if job.status != "failed" and not jobs.is_stalled(job):
        abort(409, "Only a job that failed or whose worker stopped responding can be retried.")
    jobs.retry(job)
    record_event(actor=current_user, action="job.retried", subject=job, data={"job_id": job.id, "task": job.task})
    flash("Started again.", "success")
    return redirect(_local(request.form.get("next")) or url_for("core.home"))


navigation.register("Workflows", "core.workflows", ("admin",), order=80)

from .workflow import views as workflow_views  # noqa: E402,F401  (the shared workflow pages, on bp)
