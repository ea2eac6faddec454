"""The home page (a different one per role) and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("core/landing.html")
    # the first home page the user's roles allow, most powerful role first
    for role, endpoint in (("admin", "funds.dashboard"), ("reviewer", "reviews.queue"),
                           ("applicant", "applications.mine")):
        if current_user.has_role(role) and endpoint in current_app.view_functions:
            return redirect(url_for(endpoint))
    return render_template("core/landing.html")


@bp.route("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": db.engine.dialect.name}
