"""Sign-in, sign-out, registration, password reset and accepting an invitation."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from ..core import limits
from ..core.audit import record_event
from ..core.policy import allows, public
from ..core.redirects import safe_next
from ..core.refusal import Refused, form_status, refuse_on
from ..core.web import organisation_setup_url
from . import operations, sessions, tokens
from .forms import ForgotPasswordForm, LoginForm, NewPasswordForm, RegisterForm

bp = Blueprint("users", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
@limits.sign_in("email")
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
            elif user.totp_enabled_at:
                return views_two_factor.begin_second_step(user, remember=form.remember.data,
                                                          next_url=request.args.get("next"))
            else:
                sessions.sign_in(user, remember=form.remember.data)
                record_event(actor=user, action="user.signed_in", subject=user)
                return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
    return render_template("users/login.html", form=form), form_status(form)


@bp.route("/logout", methods=["POST"])
@allows("own", "user")
def logout():
    sessions.sign_out(current_user)
    flash("You are signed out.", "success")
    return redirect(url_for("core.home"))


@bp.route("/register", methods=["GET", "POST"])
@public
@limits.sends_email("email")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        operations.request_registration(name=form.name.data, email=form.email.data,
                                        password=form.password.data, job_title=form.job_title.data)
        # the same answer whether or not the address has an account: the email tells which
        return render_template("users/registration_requested.html", email=form.email.data,
                               valid_for=tokens.duration_text(tokens.REGISTRATION_MAX_AGE))
    return render_template("users/register.html", form=form), form_status(form)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_registration(token: str):
    """GET shows a button, POST creates the account: a mail scanner that opens
    links must not finish a registration by itself."""
    try:
        pending = tokens.load_registration_token(token)
        if request.method == "POST":
            user = operations.confirm_registration(token)
            logout_user()
            sessions.sign_in(user)
            flash("Welcome! Your account is ready.", "success")
            # the registration page promises that describing the government comes next
            return redirect(organisation_setup_url() or url_for("core.home"))
    except tokens.TokenInvalid as exc:
        return render_template("users/link_invalid.html", reason=str(exc), purpose="registration")
    return render_template("users/confirm_registration.html", pending=pending)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limits.sends_email("email")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        operations.queue_password_reset(form.email.data)
        # the same answer, in the same time, whether or not the address has an account
        return render_template("users/reset_requested.html", email=form.email.data,
                               valid_for=tokens.duration_text(current_app.config["PASSWORD_RESET_MAX_AGE"]))
    return render_template("users/forgot_password.html", form=form), form_status(form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        user = tokens.load_reset_token(token)
    except tokens.TokenInvalid as exc:
        return render_template("users/link_invalid.html", reason=str(exc), purpose="reset")
    form = NewPasswordForm(account_email=user.email)
    if form.validate_on_submit():
        operations.reset_password(token, form.password.data)  # ends every session of the account
        logout_user()
        sessions.sign_in(user)
        flash("Your password has been changed and you are signed in.", "success")
        return redirect(url_for("core.home"))
    return render_template("users/reset_password.html", form=form, user=user), form_status(form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        user = tokens.load_invite_token(token)
    except tokens.TokenInvalid as exc:
        return render_template("users/link_invalid.html", reason=str(exc), purpose="invitation")
    form = NewPasswordForm(account_email=user.email)
    if form.validate_on_submit():
        operations.accept_invitation(token, form.password.data)
        logout_user()
        sessions.sign_in(user)
        record_event(actor=user, action="user.signed_in", subject=user)
        flash(f"Welcome to GrantFlow, {user.name}. Your account is ready.", "success")
        return redirect(url_for("core.home"))
    return render_template("users/accept_invitation.html", form=form, user=user), form_status(form)


from . import views_account, views_kept, views_two_factor  # noqa: E402,F401  (their routes are on bp)
