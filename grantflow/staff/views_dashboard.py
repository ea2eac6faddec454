"""The administrators' dashboard: each round's applications by workflow state."""
from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from ..applications.models import Application
from ..core import navigation
from ..core.policy import allows
from ..core.workflow import get_definition
from ..extensions import db
from ..funds.models import Fund, Round
from .views import bp

navigation.register("Dashboard", "staff.dashboard", ("admin",), order=10)


@bp.route("/admin/")
@allows("manage", "application")
def dashboard():
    rounds = db.session.scalars(select(Round).join(Fund).order_by(Round.opens_at.desc())).all()
    counts: dict[int, dict[str, tuple[int, int]]] = {}
    rows = db.session.execute(
        select(Application.round_id, Application.state, func.count(),
               func.coalesce(func.sum(Application.amount_requested_cents), 0))
        .group_by(Application.round_id, Application.state)).all()
    for round_id, state, count, requested in rows:
        counts.setdefault(round_id, {})[state] = (count, requested)
    return render_template("staff/dashboard.html", rounds=rounds,
                           funnels={r.id: _funnel(r, counts.get(r.id, {})) for r in rounds})


def _funnel(round_, by_state: dict[str, tuple[int, int]]) -> list[dict]:
    """The round's states in the workflow's own order, with its staff labels;
    states no application is in are left out."""
    definition = get_definition(round_.workflow_key, round_.workflow_version)
    return [{"state": name, "label": state.label, "count": by_state[name][0], "requested": by_state[name][1]}
            for name, state in definition.states.items() if name in by_state]
