"""A round's hub page: dates and countdown, budget and what is committed,
counts per state, what needs doing next, and a link to every round-level page
(those of ``core.round_pages``)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import render_template

from ..core import round_pages
from ..core.db import utcnow
from ..core.policy import allows, load
from ..funds import operations
from . import round_hub
from .views import bp

# the round-level pages of the domains below, linked from every hub (a domain may register its own)
round_pages.register("Applications", "staff.applications", order=10,
                     description="Every application of the round, with filters and actions on many at once.",
                     url_args=lambda r: {"round": r.id})
round_pages.register("Reviewer assignment", "reviews.assignments", order=20,
                     description="Who reviews what; assign automatically or by hand.")
round_pages.register("Review settings", "reviews.round_settings", order=25,
                     description="Rubric, reviewers per application, due date, blind review.")
round_pages.register("Ranking and decisions", "reviews.ranking", order=30,
                     description="Scores, disagreement and the funding line; award, decline or waitlist.")
round_pages.register("Decision letters", "awards.round_letters", order=40,
                     description="Render (and send) every decision letter of the round.")
round_pages.register("Portfolio and exports", "portfolio.dashboard", order=60,
                     description="Figures and charts; CSV, XLSX, 360Giving and PDF exports of the round.",
                     url_args=lambda r: {"round_id": r.id})
round_pages.register("Edit the round", "staff.edit_round", order=90,
                     description="Name, dates, budget, award range, definitions and review options.")


@bp.route("/admin/rounds/<int:round_id>")
@allows("manage", "round")
def round(round_id: int):  # noqa: A001 - the endpoint reads as staff.round
    round_ = load("round", round_id, "manage")
    counts = round_hub.state_counts(round_)
    committed = round_hub.committed_cents(round_)
    zone = ZoneInfo((round_.settings or {}).get("timezone") or "UTC")
    now = utcnow()
    phase = "upcoming" if now < round_.opens_at else "open" if now < round_.closes_at else "closed"
    return render_template(
        "staff/round.html", round=round_, counts=counts, total=sum(c.count for c in counts), committed=committed,
        remaining=round_.budget_cents - committed, todos=round_hub.todos(round_, counts),
        pages=round_pages.pages_for(round_), phase=phase, zone=zone,
        opens_local=round_.opens_at.astimezone(zone), closes_local=round_.closes_at.astimezone(zone),
        publishes=operations.publishes(round_), settings=round_.settings or {})
