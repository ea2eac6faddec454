"""The workflow pages every domain shares: the one endpoint every move goes
through, for every role, and the administrators' view of the loaded definitions
(each drawn as a diagram, with its states and transitions as a table).

The rows that move through workflows belong to the domain that registered
their model (``registry.workflow_subject``); this module imports no domain.

A move's POST carries the comment, the ``version`` of the row the user saw and,
for irreversible moves, ``confirmed=yes`` from the confirmation page. Any
refusal re-renders the move's own page with the reason and the typed comment,
so nothing entered is lost, and nothing is kept (``roll_back_request``)."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from ...extensions import db
from ..policy import allows, load
from ..redirects import safe_next
from ..refusal import REFUSED
from ..views import bp
from ..web import roll_back_request
from . import ConcurrentChange, TransitionRefused, WorkflowError, definitions, fire, get_definition, may
from .diagram import render_svg
from .engine import definition_for
from .registry import subject_model


def is_staff(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.has_role("admin")


CONFLICT = ("This application changed while you were looking at it. Its current state is shown "
            "below; your comment is kept. Check it, then try again if the step still applies.")


def visible_application(application_id: int):
    """Staff and whoever holds a role of its workflow (the policy's ``move``);
    other organisations' applications do not exist, as far as a user can tell."""
    return load("application", application_id, "move")


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
    can_fire = bool(may(application, transition.trigger, current_user)) and not error
    return render_template(
        "workflows/transition.html", application=application, transition=transition, back=back,
        error=error, comment_error=comment_error, comment=comment, confirming=confirming,
        conflict=conflict, can_fire=can_fire,
    ), status


@bp.route("/applications/<int:application_id>/transitions/<trigger>", methods=["GET", "POST"])
@allows("move", "application")
def fire_transition(application_id: int, trigger: str):
    application = visible_application(application_id)
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
        application = visible_application(application_id)
        return _page(application, transition, status=409, error=CONFLICT, comment=comment, conflict=True)
    except TransitionRefused as exc:
        roll_back_request()
        return _page(application, transition, status=403, error=str(exc), comment=comment)
    state = definition_for(application).state(application.state)
    shown = state.label if is_staff(current_user) else state.applicant_label
    flash(f"Done: “{transition.label}”. The application is now “{shown}”.", "success")
    return redirect(safe_next(request.form.get("next")) or application_page(application))


def _definition_or_404(key: str, version: int):
    try:
        return get_definition(key, version)
    except WorkflowError:
        abort(404)


@bp.route("/admin/workflows")
@allows("view", "workflow")
def workflows():
    subject = subject_model()
    counts = dict(((key, version), n) for key, version, n in db.session.execute(
        select(subject.workflow_key, subject.workflow_version, func.count())
        .group_by(subject.workflow_key, subject.workflow_version)))
    return render_template("staff/workflows.html", definitions=definitions(), counts=counts)


@bp.route("/admin/workflows/<key>/v<int:version>")
@allows("view", "workflow")
def workflow(key: str, version: int):
    definition = _definition_or_404(key, version)
    subject = subject_model()
    per_state = dict(db.session.execute(
        select(subject.state, func.count()).where(subject.workflow_key == key, subject.workflow_version == version)
        .group_by(subject.state)).all())
    highlight = request.args.get("state") if request.args.get("state") in definition.states else None
    return render_template("staff/workflow.html", definition=definition, per_state=per_state,
                           diagram=render_svg(definition, current=highlight), highlight=highlight)


@bp.route("/admin/workflows/<key>/v<int:version>.svg")
@allows("view", "workflow")
def workflow_svg(key: str, version: int):
    definition = _definition_or_404(key, version)
    highlight = request.args.get("state") if request.args.get("state") in definition.states else None
    svg = '<?xml version="1.0" encoding="UTF-8"?>\n' + str(render_svg(definition, current=highlight,
                                                                      standalone=True))
    return Response(svg, mimetype="image/svg+xml", headers={
        "Content-Disposition": f'inline; filename="{definition.key}.v{definition.version}.svg"',
        # its own <style> and nothing else: no script, no fetch, no framing
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"})
