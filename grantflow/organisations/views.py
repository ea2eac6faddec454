"""The organisation profile: an applicant describes their government once and
every application reuses it; colleagues can be invited to work on the
applications together."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from ..core import navigation
from ..core.permissions import roles_required
from ..core.refusal import Refused, form_status, refuse_on
from ..extensions import db, login_manager
from ..users.views import safe_next
from . import operations
from .forms import InviteColleagueForm, OrganisationForm

bp = Blueprint("organisations", __name__, url_prefix="/organisation")

navigation.register("Organisation", "organisations.profile", ("applicant",), order=20)


@bp.route("/", methods=["GET", "POST"])
@roles_required("applicant")
def profile():
    organisation = current_user.organisation
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        values = {key: getattr(form, key).data for key in operations.PROFILE_FIELDS}
        if organisation is None:
            operations.create_organisation(current_user, values)
            flash("Your organisation is set up. You can now start an application.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("applications.mine"))
        changed = operations.update_organisation(current_user, organisation, values)
        flash("Your organisation profile is saved." if changed else "Nothing changed.", "success")
        return redirect(url_for("organisations.profile"))
    members = sorted(organisation.members, key=lambda u: u.name.lower()) if organisation else []
    return render_template("organisations/profile.html", form=form, organisation=organisation,
                           members=members, invite_form=InviteColleagueForm(formdata=None, prefix="invite")
                           ), form_status(form)


@bp.route("/colleagues", methods=["POST"])
@roles_required("applicant")
def invite():
    organisation = current_user.organisation
    if organisation is None:
        flash("Set up your organisation first.", "warning")
        return redirect(url_for("organisations.profile"))
    invite_form = InviteColleagueForm(prefix="invite")
    if invite_form.validate_on_submit():
        try:
            colleague = operations.invite_colleague(current_user, name=invite_form.name.data,
                                                    email=invite_form.email.data)
        except Refused as exc:
            refuse_on(invite_form, exc, "email")
        else:
            flash(f"We emailed {colleague.email} an invitation to join {organisation.name}.", "success")
            return redirect(url_for("organisations.profile"))
    members = sorted(organisation.members, key=lambda u: u.name.lower())
    return render_template("organisations/profile.html", form=OrganisationForm(formdata=None, obj=organisation),
                           organisation=organisation, members=members, invite_form=invite_form
                           ), form_status(invite_form)


@bp.errorhandler(CSRFError)
def csrf_expired(exc):
    """An expired session or form token: the typed profile comes back, unsaved."""
    db.session.rollback()
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    organisation = current_user.organisation
    notice = "Your session expired, so this was not saved. Your answers are below: press the button again."
    if request.endpoint == "organisations.invite" and organisation is not None:
        form = OrganisationForm(formdata=None, obj=organisation)
        invite_form = InviteColleagueForm(prefix="invite")  # a fresh token; not validated
    else:
        form = OrganisationForm()
        invite_form = InviteColleagueForm(formdata=None, prefix="invite")
    members = sorted(organisation.members, key=lambda u: u.name.lower()) if organisation else []
    return render_template("organisations/profile.html", form=form, organisation=organisation, members=members,
                           invite_form=invite_form, notice=notice), 400
