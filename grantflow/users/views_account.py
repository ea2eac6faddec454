"""The signed-in person's own account: name, job title, time zone, and the
way to the other account settings (two-step sign-in)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..core.policy import allows
from ..core.refusal import Refused, form_status, refuse_on
from . import operations
from .forms import AccountForm
from .views import bp


@bp.route("/account", methods=["GET", "POST"])
@allows("own", "user")
def account():
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        try:
            changed = operations.update_account(current_user, name=form.name.data, job_title=form.job_title.data,
                                                timezone=form.timezone.data)
        except Refused as exc:
            refuse_on(form, exc)
        else:
            flash("Your account is saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("users.account"))
    return render_template("users/account.html", form=form), form_status(form)
