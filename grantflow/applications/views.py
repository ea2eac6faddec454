from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from ..core import navigation
from ..core.permissions import roles_required
from ..extensions import db
from .models import Application

bp = Blueprint("applications", __name__, url_prefix="/applications")

navigation.register("My applications", "applications.mine", ("applicant",), order=10)


@bp.route("/")
@roles_required("applicant")
def mine():
    applications = []
    if current_user.organisation_id is not None:
        applications = db.session.scalars(
            select(Application).where(Application.organisation_id == current_user.organisation_id)
            .order_by(Application.updated_at.desc())).all()
    return render_template("applications/mine.html", applications=applications)
