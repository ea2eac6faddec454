"""Two-step sign-in pages: setting it up (QR code, first code, recovery codes),
turning it off, and the code step after the password."""
from __future__ import annotations

import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..core import limits
from ..core.policy import allows, public
from ..core.audit import record_event
from ..core.refusal import REFUSED, form_status
from ..core.redirects import safe_next
from ..extensions import db
from . import sessions, two_factor
from .forms import CodeForm
from .models import User
from .views import bp

#: seconds between a right password and its code
PENDING_SECONDS = 300
SETUP_KEY = "two_factor_setup_secret"


def begin_second_step(user: User, *, remember: bool, next_url: str | None):
    """Called by sign-in after the right password of an account with two-step sign-in."""
    session["two_factor"] = {"user_id": user.id, "remember": bool(remember), "next": safe_next(next_url),
                             "until": time.time() + PENDING_SECONDS}
    return redirect(url_for("users.two_factor_sign_in"))


@bp.route("/login/two-step", methods=["GET", "POST"])
@public  # the second step of signing in
@limits.second_step
def two_factor_sign_in():
    pending = session.get("two_factor") or {}
    user = db.session.get(User, pending.get("user_id") or 0) if pending.get("until", 0) > time.time() else None
    if user is None or not user.is_active_account or not user.totp_enabled_at:
        session.pop("two_factor", None)
        flash("Sign in again: the two-step sign-in took too long.", "info")
        return redirect(url_for("users.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if two_factor.verify(user, form.code.data):
            session.pop("two_factor", None)
            sessions.sign_in(user, remember=pending.get("remember", False))
            record_event(actor=user, action="user.signed_in", subject=user, data={"two_step": True})
            return redirect(pending.get("next") or url_for("core.home"))
        form.code.errors.append("That code is not right. Enter the 6 digits your app shows now, or one of "
                                "your recovery codes.")
    return render_template("users/two_factor_sign_in.html", form=form), form_status(form)


@bp.route("/account/two-step", methods=["GET", "POST"])
@allows("own", "user")
def two_factor_setup():
    user = current_user
    if user.totp_enabled_at:
        return render_template("users/two_factor_on.html", form=CodeForm(formdata=None),
                               codes_left=len(user.recovery_code_hashes or []),
                               required=two_factor.required_for_role(user))
    secret = session.get(SETUP_KEY) or two_factor.new_secret()
    session[SETUP_KEY] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(user, secret, form.code.data)
        except two_factor.CodeRefused as exc:
            form.code.errors.append(str(exc))
        else:
            session.pop(SETUP_KEY, None)
            return render_template("users/two_factor_codes.html", codes=codes)
    uri = two_factor.provisioning_uri(user, secret)
    return render_template("users/two_factor_setup.html", form=form, secret=secret,
                           qr=two_factor.qr_svg(uri, "QR code to add GrantFlow to an authenticator app"),
                           required=two_factor.required_for(user)), form_status(form)


@bp.route("/account/two-step/off", methods=["POST"])
@allows("own", "user")
def two_factor_disable():
    form = CodeForm()
    if two_factor.required_for_role(current_user):
        flash("Administrators of this fund must keep two-step sign-in on.", "error")
        return redirect(url_for("users.two_factor_setup"))
    if form.validate_on_submit() and two_factor.verify(current_user, form.code.data):
        two_factor.disable(current_user, current_user)
        sessions.sign_in(current_user)  # turning it off ended the account's other sessions
        flash("Two-step sign-in is off.", "success")
        return redirect(url_for("users.two_factor_setup"))
    form.code.errors.append("That code is not right: enter a current code to turn two-step sign-in off.")
    return render_template("users/two_factor_on.html", form=form, codes_left=len(current_user.recovery_code_hashes or []),
                           required=False), REFUSED
