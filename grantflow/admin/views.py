"""Users and outbox pages for fund administrators. Every change goes through
an operation in ``users.operations`` that audits it."""
from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core import limits, navigation
from ..core.models import OutboxEmail
from ..core.params import page_number
from ..core.policy import allows, load
from ..core.refusal import Refused, form_status, refuse_on
from ..extensions import db
from ..users import operations, sessions
from ..users.forms import InviteForm
from ..users.models import ROLE_CHOICES, ROLE_LABELS, User, UserRole

bp = Blueprint("admin", __name__, url_prefix="/admin")

navigation.register("Users", "admin.users", ("admin",), order=80)
navigation.register("Outbox", "admin.outbox", ("admin",), order=90)

USERS_PER_PAGE = 50
EMAILS_PER_PAGE = 25


@bp.route("/users")
@allows("manage", "user")
def users():
    role = request.args.get("role") or None
    if role is not None and role not in ROLE_CHOICES:
        abort(404)
    query = select(User).options(selectinload(User.organisation)).order_by(User.name, User.id)
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    page = db.paginate(query, page=page_number(), per_page=USERS_PER_PAGE, error_out=False)
    if page.page > 1 and not page.items:
        abort(404)
    return render_template("admin/users.html", page=page, role=role, role_labels=ROLE_LABELS)


@bp.route("/users/invite", methods=["GET", "POST"])
@allows("manage", "user")
@limits.sends_email("email", by_signed_in_user=True)
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user, added = operations.invite_user(current_user, name=form.name.data, email=form.email.data,
                                                 roles=form.roles.data)
        except Refused as exc:
            refuse_on(form, exc, "email")
        else:
            if user.is_invitation_pending:
                flash(f"Invitation sent to {user.email}.", "success")
            elif added:
                flash(f"{user.name} already had an account: added the role "
                      f"{' and '.join(ROLE_LABELS[r] for r in added)} and told them by email.", "success")
            else:
                flash(f"{user.name} already has every role you chose; nothing changed.", "info")
            return redirect(url_for("admin.users"))
    return render_template("admin/invite.html", form=form), form_status(form)


def _set_active(user_id: int, active: bool):
    # CSRFProtect has already checked the form's token, as for every POST
    user = load("user", user_id, "manage")
    try:
        changed = operations.set_account_active(current_user, user, active)
    except Refused as exc:
        refuse_on(None, exc)
    else:
        if changed:
            flash(f"{user.name} ({user.email}) is {'reactivated' if active else 'deactivated'}.", "success")
    # back to the page of the list the button was on
    back = {key: request.args[key] for key in ("page", "role") if request.args.get(key)}
    return redirect(url_for("admin.users", **back))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@allows("manage", "user")
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@allows("manage", "user")
def reactivate_user(user_id: int):
    return _set_active(user_id, True)


@bp.route("/users/<int:user_id>/sessions")
@allows("manage", "user")
def user_sessions(user_id: int):
    user = load("user", user_id, "manage")
    return render_template("admin/user_sessions.html", user=user, live=sessions.live_sessions(user))


@bp.route("/users/<int:user_id>/sessions/end", methods=["POST"])
@allows("manage", "user")
def end_user_sessions(user_id: int):
    user = load("user", user_id, "manage")
    sessions.end_sessions(current_user, user)
    flash(f"Every session of {user.name} has ended: they must sign in again on every device.", "success")
    if user.id == current_user.id:
        return redirect(url_for("users.login"))
    return redirect(url_for("admin.user_sessions", user_id=user.id))


@bp.route("/users/<int:user_id>/sessions/<int:session_id>/end", methods=["POST"])
@allows("manage", "user")
def end_user_session(user_id: int, session_id: int):
    user = load("user", user_id, "manage")
    if not sessions.end_session(current_user, user, session_id):
        abort(404)
    flash("The session has ended.", "success")
    return redirect(url_for("admin.user_sessions", user_id=user.id))


@bp.route("/outbox")
@allows("read", "email")
def outbox():
    query = select(OutboxEmail).order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
    page = db.paginate(query, page=page_number(), per_page=EMAILS_PER_PAGE, error_out=False)
    if page.page > 1 and not page.items:
        abort(404)
    return render_template("admin/outbox.html", page=page)


#: links that let their recipient set a password: secrets once real mail delivers them
_SECRET_LINK = re.compile(r"\S+/(?:reset-password|invitation)/\S+")


def readable_body(email: OutboxEmail) -> str:
    """The body as an administrator may read it. Without a mail server the outbox
    is the only way mail arrives (the demo), so it is shown whole; with one, the
    password links are hidden, so reading the outbox cannot take over an account."""
    if not current_app.config.get("MAIL_SERVER"):
        return email.body_text
    return _SECRET_LINK.sub("[personal link hidden: only the recipient can use it]", email.body_text)


@bp.route("/outbox/<int:email_id>")
@allows("read", "email")
def outbox_email(email_id: int):
    email = load("email", email_id, "read")
    return render_template("admin/outbox_email.html", email=email, body=readable_body(email))
