"""The organisation profile: an applicant describes their government once and
every application reuses it; colleagues can be invited to work on the
applications together."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from ..core import limits, navigation
from ..core.policy import allows, public
from ..core.redirects import safe_next
from ..core.refusal import Refused, form_status, refuse_on, refused_page
from ..users import sessions
from ..users.operations import find_user_by_email
from . import operations
from .forms import InviteColleagueForm, JoinForm, OrganisationForm

bp = Blueprint("organisations", __name__, url_prefix="/organisation")

navigation.register("Organization", "organisations.profile", ("applicant",), order=20)


@bp.route("/", methods=["GET", "POST"])
@allows("edit", "organisation")
def profile():
    organisation = current_user.organisation
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        values = {key: getattr(form, key).data for key in operations.PROFILE_FIELDS}
        try:
            if organisation is None:
                operations.create_organisation(current_user, values, name_confirmed=form.is_different.data)
            else:
                changed = operations.update_organisation(current_user, organisation, values,
                                                         name_confirmed=form.is_different.data)
        except Refused as exc:
            refuse_on(form, exc, "name")
        else:
            if organisation is None:
                flash("Your organization is set up. You can now start an application.", "success")
                return redirect(safe_next(request.args.get("next")) or url_for("applications.mine"))
            flash("Your organization profile is saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("organisations.profile"))
    members = sorted(organisation.members, key=lambda u: u.name.lower()) if organisation else []
    return render_template("organisations/profile.html", form=form, organisation=organisation,
                           members=members, invite_form=InviteColleagueForm(formdata=None, prefix="invite")
                           ), form_status(form)


@bp.route("/colleagues", methods=["POST"])
@allows("invite", "organisation")
@limits.sends_email("invite-email", by_signed_in_user=True)
def invite():
    organisation = current_user.organisation
    if organisation is None:
        flash("Set up your organization first.", "warning")
        return redirect(url_for("organisations.profile"))
    invite_form = InviteColleagueForm(prefix="invite")
    if invite_form.validate_on_submit():
        try:
            operations.invite_colleague(current_user, name=invite_form.name.data, email=invite_form.email.data)
        except Refused as exc:
            refuse_on(invite_form, exc, "email")
        else:
            # the same answer whoever owns the address: the email tells them what to do
            flash(f"We emailed {invite_form.email.data} an invitation to join {organisation.name}. They "
                  "become a member when they accept it.", "success")
            return redirect(url_for("organisations.profile"))
    members = sorted(organisation.members, key=lambda u: u.name.lower())
    return render_template("organisations/profile.html", form=OrganisationForm(formdata=None, obj=organisation),
                           organisation=organisation, members=members, invite_form=invite_form
                           ), form_status(invite_form)


@bp.route("/join/<token>", methods=["GET", "POST"])
@public  # the invitation link is the permission
def join(token: str):
    """A colleague's invitation: a new account for an address without one,
    else the owner of the address signs in and accepts."""
    try:
        invitation = operations.load_invitation(token)
    except Refused as exc:
        return refused_page(render_template("organisations/join.html", problem=str(exc)))
    organisation = invitation["organisation"]
    account = find_user_by_email(invitation["email"])
    form = None
    if account is None:
        form = JoinForm(data={"name": invitation["name"]} if request.method == "GET" else None,
                        account_email=invitation["email"])
        if form.validate_on_submit():
            try:
                user = operations.join_with_new_account(invitation, name=form.name.data,
                                                        password=form.password.data)
            except Refused as exc:
                return refused_page(render_template("organisations/join.html", problem=str(exc)))
            logout_user()
            sessions.sign_in(user)
            flash(f"Welcome! You are a member of {organisation.name}.", "success")
            return redirect(url_for("applications.mine"))
    elif current_user.is_authenticated and request.method == "POST":
        try:
            operations.join(invitation, current_user)
        except Refused as exc:
            return refused_page(render_template("organisations/join.html", problem=str(exc)))
        flash(f"You are now a member of {organisation.name}.", "success")
        return redirect(url_for("applications.mine"))
    return render_template("organisations/join.html", invitation=invitation, organisation=organisation,
                           account=account, form=form), form_status(form) if form else 200
