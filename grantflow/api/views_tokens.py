"""The account's API tokens page: create one (its secret is shown once, on the
answer to the creating POST, and never again), see when each was last used,
revoke one. Tokens are read-only and act with the account's own access."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..core.policy import allows, load
from ..core.refusal import Refused, form_status, refuse_on
from . import operations
from .forms import NewTokenForm
from .views import bp


def _page(form, *, secret: str | None = None, status: int = 200):
    return render_template("api/tokens.html", form=form, tokens=operations.active_tokens(current_user),
                           secret=secret), status


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@allows("create", "api_token")
def tokens():
    form = NewTokenForm()
    if form.validate_on_submit():
        try:
            token, secret = operations.create_token(current_user, form.name.data)
        except Refused as exc:
            refuse_on(form, exc, "name")
        else:
            return _page(NewTokenForm(formdata=None), secret=secret)
    return _page(form, status=form_status(form))


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@allows("revoke", "api_token")
def revoke_token(token_id: int):
    # someone else's token, or one already revoked: nothing to revoke here (404)
    token = operations.revoke_token(current_user, load("api_token", token_id, "revoke"))
    flash(f"The token “{token.name}” is revoked: it no longer works.", "success")
    return redirect(url_for("api.tokens"))
