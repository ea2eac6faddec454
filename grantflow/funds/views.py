from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from ..applications.models import Application
from ..core import navigation
from ..core.permissions import admin_required
from ..extensions import db
from .models import Fund, Round

bp = Blueprint("funds", __name__, url_prefix="/admin")

navigation.register("Dashboard", "funds.dashboard", ("admin",), order=10)


@bp.route("/")
@admin_required
def dashboard():
    rounds = db.session.scalars(select(Round).join(Fund).order_by(Round.opens_at.desc())).all()
    counts = {}
    rows = db.session.execute(
        select(Application.round_id, Application.state, func.count()).group_by(
            Application.round_id, Application.state)).all()
    for round_id, state, count in rows:
        counts.setdefault(round_id, {})[state] = count
    return render_template("funds/dashboard.html", rounds=rounds, counts=counts)
