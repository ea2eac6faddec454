"""Request-wide rules of the accounts domain: an administrator whom a fund
requires to use two-step sign-in sees only its set-up page until it is on; a
post whose session or form token expired keeps what was typed (``kept``)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

#: what such an administrator may still open
ALLOWED = {"users.two_factor_setup", "users.logout", "static"}


def _require_two_factor():
    if request.endpoint in ALLOWED or not getattr(current_user, "is_authenticated", False):
        return None
    from .two_factor import required_for

    if required_for(current_user):
        flash("This fund requires administrators to use two-step sign-in. Set it up to continue.", "warning")
        return redirect(url_for("users.two_factor_setup"))
    return None


def init_app(app) -> None:
    from . import kept

    app.before_request(_require_two_factor)
    kept.init_app(app)  # nothing typed is lost when a session or form token expires
