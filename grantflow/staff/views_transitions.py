"""The one endpoint every workflow move goes through, for every role.

POST carries the comment, the ``version`` of the application the user saw and,
for irreversible moves, ``confirmed=yes`` from the confirmation page. Any
refusal re-renders the move's own page with the reason and the typed comment,
so nothing entered is lost; the non-2xx status rolls the request back."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError

from ..applications.models import Application
from ..core.redirects import safe_next
from ..core.refusal import REFUSED
from ..core.web import roll_back_request
from ..core.workflow import ConcurrentChange, TransitionRefused, fire, may
from ..core.workflow.engine import definition_for
from ..extensions import db
from .presenters import can_view_application, is_staff, workflow_context
from .views import bp

CONFLICT = ("This application changed while you were looking at it. Its current state is shown "
            "below; your comment is kept. Check it, then try again if the step still applies.")


def visible_application_or_404(application_id: int) -> Application:
    """Other organisations' applications do not exist, as far as a user can tell."""
    application = db.session.get(Application, application_id,
                                 options=[joinedload(Application.organisation), joinedload(Application.round)])
    if application is None or not can_view_application(application, current_user):
        abort(404)
    return application


def application_page(application) -> str:
    if is_staff(current_user):
        return url_for("staff.application", application_id=application.id)
    for endpoint in ("applications.show", "applications.detail", "applications.view"):
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, application_id=application.id)
            except BuildError:
                continue
    return url_for("applications.mine") if "applications.mine" in current_app.view_functions else "/"


def _transition_named(definition, state: str, trigger: str):
    """The move from the current state, or else any move with that trigger
    (so the page can still name the step it refuses)."""
    found = definition.transition(state, trigger)
    if found is None:
        found = next((t for t in definition.transitions if t.trigger == trigger), None)
    return found


def _page(application, transition, *, status: int = 200, error: str | None = None,
          comment_error: str | None = None, comment: str = "", confirming: bool = False,
          conflict: bool = False):
    back = safe_next(request.values.get("next")) or application_page(application)
    wf = workflow_context(application, current_user)
    can_fire = bool(may(application, transition.trigger, current_user)) and not error
    return render_template(
        "workflows/transition.html", application=application, transition=transition, wf=wf, back=back,
        error=error, comment_error=comment_error, comment=comment, confirming=confirming,
        conflict=conflict, can_fire=can_fire,
    ), status


@bp.route("/applications/<int:application_id>/transitions/<trigger>", methods=["GET", "POST"])
@login_required
def fire_transition(application_id: int, trigger: str):
    application = visible_application_or_404(application_id)
    transition = _transition_named(definition_for(application), application.state, trigger)
    if transition is None:
        abort(404)
    if request.method == "GET":
        decision = may(application, trigger, current_user)
        return _page(application, transition, status=200 if decision else 403,
                     error=None if decision else decision.reason)

    comment = (request.form.get("comment") or "").strip()
    version = request.form.get("version", type=int)
    if version is None:
        return _page(application, transition, status=400, comment=comment,
                     error="The form was incomplete. Check the application's current state and try again.")
    if version != application.version:
        return _page(application, transition, status=409, error=CONFLICT, comment=comment, conflict=True)
    decision = may(application, trigger, current_user)
    if not decision:
        return _page(application, transition, status=403, error=decision.reason, comment=comment)
    if transition.comment_required and not comment:
        return _page(application, transition, status=REFUSED, comment=comment,
                     confirming=bool(transition.confirm), comment_error="Enter a comment: this step needs one.")
    if transition.confirm and request.form.get("confirmed") != "yes":
        return _page(application, transition, comment=comment, confirming=True)

    try:
        fire(application, trigger, current_user, comment=comment or None, expected_version=version)
    except ConcurrentChange:
        db.session.rollback()
        application = visible_application_or_404(application_id)
        return _page(application, transition, status=409, error=CONFLICT, comment=comment, conflict=True)
    except TransitionRefused as exc:
        roll_back_request()
        return _page(application, transition, status=403, error=str(exc), comment=comment)
    state = definition_for(application).state(application.state)
    shown = state.label if is_staff(current_user) else state.applicant_label
    flash(f"Done: “{transition.label}”. The application is now “{shown}”.", "success")
    return redirect(safe_next(request.form.get("next")) or application_page(application))
