from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..core.audit import record_event
from . import operations
from .forms import LoginForm, RegisterForm

bp = Blueprint("users", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("The email address or password is not right.")
        else:
            login_user(user, remember=form.remember.data)
            record_event(actor=user, action="user.signed_in", subject=user)
            return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
    return render_template("users/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You are signed out.", "success")
    return redirect(url_for("core.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = operations.register_applicant(name=form.name.data, email=form.email.data,
                                                 password=form.password.data, job_title=form.job_title.data)
        except operations.AccountError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            login_user(user)
            flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("core.home"))
    return render_template("users/register.html", form=form)
