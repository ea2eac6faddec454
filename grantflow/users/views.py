"""Sign-in, sign-out, registration, password reset and accepting an invitation."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..core.audit import record_event
from ..core.refusal import Refused, form_status, refuse_on
from ..core.web import organisation_setup_url
from . import operations, tokens
from .forms import ForgotPasswordForm, LoginForm, NewPasswordForm, RegisterForm

bp = Blueprint("users", __name__)


def safe_next(target: str | None) -> str | None:
    """Only same-site absolute paths: never an open redirect. Refused: a scheme
    or host, protocol-relative ``//host``, and backslashes or control characters
    (browsers read ``/\\host`` as ``//host`` and drop tabs and newlines)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.email.data, form.password.data)
        except Refused as exc:
            refuse_on(form, exc, "email")
        else:
            if user is None:
                form.password.errors.append("The email address or password is not right.")
            else:
                login_user(user, remember=form.remember.data)
                record_event(actor=user, action="user.signed_in", subject=user)
                return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
    return render_template("users/login.html", form=form), form_status(form)


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
        except Refused as exc:
            refuse_on(form, exc, "email")
        else:
            login_user(user)
            flash("Welcome! Your account is ready.", "success")
            # the registration page promises that describing the government comes next
            return redirect(organisation_setup_url() or url_for("core.home"))
    return render_template("users/register.html", form=form), form_status(form)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        operations.request_password_reset(form.email.data)
        # the same answer whether or not the address has an account
        return render_template("users/reset_requested.html", email=form.email.data,
                               valid_for=tokens.duration_text(current_app.config["PASSWORD_RESET_MAX_AGE"]))
    return render_template("users/forgot_password.html", form=form), form_status(form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = tokens.load_reset_token(token)
    except tokens.TokenInvalid as exc:
        return render_template("users/link_invalid.html", reason=str(exc), purpose="reset")
    form = NewPasswordForm()
    if form.validate_on_submit():
        operations.reset_password(token, form.password.data)
        if current_user.is_authenticated:
            logout_user()
        login_user(user)
        flash("Your password has been changed and you are signed in.", "success")
        return redirect(url_for("core.home"))
    return render_template("users/reset_password.html", form=form, user=user), form_status(form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        user = tokens.load_invite_token(token)
    except tokens.TokenInvalid as exc:
        return render_template("users/link_invalid.html", reason=str(exc), purpose="invitation")
    form = NewPasswordForm()
    if form.validate_on_submit():
        operations.accept_invitation(token, form.password.data)
        if current_user.is_authenticated:
            logout_user()
        login_user(user)
        record_event(actor=user, action="user.signed_in", subject=user)
        flash(f"Welcome to GrantFlow, {user.name}. Your account is ready.", "success")
        return redirect(url_for("core.home"))
    return render_template("users/accept_invitation.html", form=form, user=user), form_status(form)
