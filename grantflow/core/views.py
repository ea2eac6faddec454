"""The home page (a different one per role), the health check, and Retry on a job's page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from . import jobs, navigation
from .audit import record_event
from .policy import allows, load, public
from .redirects import safe_next

bp = Blueprint("core", __name__)


@bp.route("/")
@public  # the landing page, or the signed-in user's own home page
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
@public
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": db.engine.dialect.name}


@bp.route("/admin/jobs/<int:job_id>/retry", methods=["POST"])
@allows("retry", "job")
def retry_job(job_id: int):
    """Retry on a job page: a failed job, or one whose worker died."""
    job = load("job", job_id, "retry")
    if job.status != "failed" and not jobs.is_stalled(job):
        abort(409, "Only a job that failed or whose worker stopped responding can be retried.")
    jobs.retry(job)
    record_event(actor=current_user, action="job.retried", subject=job, data={"job_id": job.id, "task": job.task})
    flash("Started again.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))


navigation.register("Workflows", "core.workflows", ("admin",), order=80)

from .workflow import views as workflow_views  # noqa: E402,F401  (the shared workflow pages, on bp)
