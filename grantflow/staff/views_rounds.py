"""Rounds and fund settings, for administrators: the list of rounds, a new
round, editing and closing one, and a fund's settings. Every value is read and
checked by the operations the command line uses (``funds.operations``,
``staff.fund_settings``); a refusal is shown next to its field."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from ..core import navigation
from ..core.formdefs import registry as form_registry
from ..core.policy import allows, load
from ..core.refusal import Refused, form_status, refuse_on
from ..core.workflow import definitions
from ..extensions import db
from ..funds import operations
from ..funds.models import Fund
from ..reviews.rubrics import all_rubrics
from .fund_settings import current_values, update_fund_settings
from .round_forms import RoundForm, FundSettingsForm
from .views import bp

navigation.register("Rounds", "staff.rounds", ("admin",), order=15)


@bp.route("/admin/rounds")
@allows("manage", "round")
def rounds():
    funds = db.session.scalars(select(Fund).options(joinedload(Fund.rounds)).order_by(Fund.name)).unique().all()
    return render_template("staff/rounds.html", funds=funds)


def _choices(form: RoundForm) -> None:
    """Only definitions that passed their checks: every loaded one did (start-up refuses the others)."""
    form.workflow.choices = [SelectChoice(f"{d.key}:{d.version}", f"{d.title} (version {d.version})")
                             for d in definitions()]
    applications = sorted((d for (kind, _, _), d in form_registry.registry().definitions.items()
                           if kind == "applications"), key=lambda d: (d.key, d.version))
    form.form.choices = [SelectChoice(f"{d.key}:{d.version}", f"{d.title} (version {d.version})")
                         for d in applications]
    form.rubric.choices = [SelectChoice("", "No rubric (no panel review)")] + [
        SelectChoice(f"{key}:{version}", f"{rubric.title} (version {version})")
        for (key, version), rubric in sorted(all_rubrics().items())]


@bp.route("/admin/funds/<int:fund_id>/rounds/new", methods=["GET", "POST"])
@allows("manage", "fund")
def new_round(fund_id: int):
    fund = load("fund", fund_id, "manage")
    defaults = {"timezone": "America/New_York", "min_award": "10000", "max_award": "250000",
                "reviewers_per_application": "3", "open_data": bool((fund.settings or {}).get("open_data"))}
    form = RoundForm(data=None if request.method == "POST" else defaults)
    _choices(form)
    if form.validate_on_submit():
        try:
            round_ = operations.create_round(current_user, fund, operations.read_round_terms(form.values()))
        except Refused as exc:
            refuse_on(form, exc, "name")
        else:
            flash(f"Round “{round_.name}” created.", "success")
            return redirect(url_for("staff.round", round_id=round_.id))
    return render_template("staff/round_form.html", form=form, fund=fund, round=None, locks={}), form_status(form)


@bp.route("/admin/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@allows("manage", "round")
def edit_round(round_id: int):
    round_ = load("round", round_id, "manage")
    locks = operations.locked_fields(round_)
    form = RoundForm(data=None if request.method == "POST" else operations.round_values(round_))
    _choices(form)
    if form.validate_on_submit():
        try:
            changes = operations.update_round(current_user, round_, operations.read_round_terms(form.values()))
        except Refused as exc:
            refuse_on(form, exc, "name")
        else:
            flash(f"Round “{round_.name}” saved." if changes else "Nothing changed.", "success" if changes else "info")
            return redirect(url_for("staff.round", round_id=round_.id))
    return render_template("staff/round_form.html", form=form, fund=round_.fund, round=round_,
                           locks=locks), form_status(form)


@bp.route("/admin/rounds/<int:round_id>/close", methods=["POST"])
@allows("manage", "round")
def close_round(round_id: int):
    round_ = load("round", round_id, "manage")
    try:
        operations.close_round(current_user, round_)
    except Refused as exc:
        refuse_on(None, exc)
    else:
        flash(f"“{round_.name}” is closed: no more applications can be submitted.", "success")
    return redirect(url_for("staff.round", round_id=round_.id))


@bp.route("/admin/funds/<int:fund_id>/settings", methods=["GET", "POST"])
@allows("manage", "fund")
def fund_settings(fund_id: int):
    fund = load("fund", fund_id, "manage")
    form = FundSettingsForm(data=None if request.method == "POST" else current_values(fund))
    if form.validate_on_submit():
        values = {key: value for key, value in form.data.items() if key != "csrf_token"}
        try:
            changes = update_fund_settings(current_user, fund, values)
        except Refused as exc:
            refuse_on(form, exc, "payment_schedule")
        else:
            flash(f"Settings of {fund.name} saved." if changes else "Nothing changed.",
                  "success" if changes else "info")
            return redirect(url_for("staff.rounds"))
    return render_template("staff/fund_settings.html", form=form, fund=fund), form_status(form)
