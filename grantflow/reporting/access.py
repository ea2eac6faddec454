"""Loading grants and reports for the signed-in user: staff see every grant,
the grantee's staff see their own, everyone else gets 404 (not 403, so the
existence of another government's grant is not revealed)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..applications.models import Application
from ..core.workflow import meaning
from ..core.workflow.engine import holds_role
from ..extensions import db
from .models import Report



def is_staff(user=None) -> bool:
    user = user or current_user
    return bool(user.is_authenticated and user.has_role("admin"))


def can_see(application, user=None) -> bool:
    user = user or current_user
    return is_staff(user) or holds_role(application, user, "applicant")


def grant_or_404(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or not meaning.is_in(application, *meaning.GRANT_STAGES) or not can_see(application):
        abort(404)
    return application


def report_or_404(report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None or not can_see(report.application):
        abort(404)
    return report


def staff_only() -> None:
    if not is_staff():
        abort(403)
