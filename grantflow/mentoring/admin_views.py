"""The administrators' page of the mentor network: figures, the requests
waiting, the solver's proposals to approve, reject or change, and the mentors."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..core import navigation
from ..core.policy import allows, load
from ..core.refusal import Refused, refuse_on
from ..extensions import db
from ..users.models import User
from . import proposals
from .figures import network_figures
from .forms import AssignForm, ConfirmForm, RejectForm
from .models import MentorMatch, MentorProfile, MentorRequest
from .views import _page_context, bp

navigation.register("Mentoring", "mentoring.admin_overview", ("admin",), order=65)


def _assign_form(request: MentorRequest, mentors: list) -> AssignForm:
    form = AssignForm(prefix=f"r{request.id}", formdata=None)
    form.mentor_id.choices = [SelectChoice(m.user_id, f"{m.user.name} ({m.user.organisation.name if m.user.organisation else '—'})")
                              for m in mentors if m.user.organisation_id != request.organisation_id]
    return form


@bp.route("/admin/mentoring/")
@allows("manage", "mentoring")
def admin_overview():
    open_requests = db.session.scalars(select(MentorRequest).where(MentorRequest.status == "open")
                                       .order_by(MentorRequest.created_at)).all()
    pending = db.session.scalars(select(MentorMatch).where(MentorMatch.status.in_(("proposed", "approved")))
                                 .order_by(MentorMatch.id)).all()
    introduced = db.session.scalars(select(MentorMatch).where(MentorMatch.introduced_at.is_not(None))
                                    .order_by(MentorMatch.introduced_at.desc()).limit(50)).all()
    mentors = db.session.scalars(select(MentorProfile).join(User, User.id == MentorProfile.user_id)
                                 .where(MentorProfile.opted_in.is_(True)).order_by(User.name)).all()
    waiting_ids = {r.id for r in proposals.waiting_requests()}
    return render_template("mentoring/admin.html", figures=network_figures(), open_requests=open_requests,
                           waiting_ids=waiting_ids, pending=pending, introduced=introduced, mentors=mentors,
                           assign_forms={r.id: _assign_form(r, mentors) for r in open_requests},
                           confirm=ConfirmForm(), reject=RejectForm(), **_page_context())


@bp.route("/admin/mentoring/propose", methods=["POST"])
@allows("manage", "mentoring")
def propose():
    if ConfirmForm().validate_on_submit():
        try:
            made = proposals.propose_matches(current_user)
        except Refused as exc:
            refuse_on(None, exc)
        else:
            flash(f"{len(made)} match{'' if len(made) == 1 else 'es'} proposed. Approve or change each below."
                  if made else "No match could be proposed: no waiting request has an eligible mentor with a "
                               "free place.", "success" if made else "info")
    return redirect(url_for("mentoring.admin_overview"))


@bp.route("/admin/mentoring/matches/<int:match_id>/approve", methods=["POST"])
@allows("manage", "mentor_match")
def approve(match_id: int):
    match = load("mentor_match", match_id, "manage")
    if ConfirmForm().validate_on_submit():
        try:
            proposals.approve_match(match, current_user)
        except Refused as exc:
            refuse_on(None, exc)
        else:
            flash(f"Approved: {match.mentor.name} and {match.mentee.name} are asked to accept.", "success")
    return redirect(url_for("mentoring.admin_overview"))


@bp.route("/admin/mentoring/matches/<int:match_id>/reject", methods=["POST"])
@allows("manage", "mentor_match")
def reject(match_id: int):
    match = load("mentor_match", match_id, "manage")
    form = RejectForm()
    if form.validate_on_submit():
        try:
            proposals.reject_match(match, current_user, reason=form.reason.data)
        except Refused as exc:
            refuse_on(None, exc)
        else:
            flash("The match is rejected; the request waits for another mentor.", "success")
    else:
        abort(400, "Keep the reason to 500 characters, then press the button again.")
    return redirect(url_for("mentoring.admin_overview"))


@bp.route("/admin/mentoring/requests/<int:request_id>/assign", methods=["POST"])
@allows("manage", "mentor_request")
def assign(request_id: int):
    mentor_request = load("mentor_request", request_id, "manage")
    mentors = db.session.scalars(select(MentorProfile).where(MentorProfile.opted_in.is_(True))).all()
    form = AssignForm(prefix=f"r{mentor_request.id}")
    form.mentor_id.choices = [SelectChoice(m.user_id, m.user.name) for m in mentors]
    if not form.validate_on_submit():
        abort(400, "Choose one of the mentors in the list, then press the button again.")
    try:
        match = proposals.assign_mentor(mentor_request, db.session.get(User, form.mentor_id.data), current_user)
    except Refused as exc:
        refuse_on(None, exc)
    else:
        flash(f"{match.mentor.name} is proposed to {match.mentee.name}; both are asked to accept.", "success")
    return redirect(url_for("mentoring.admin_overview"))
