"""Staff: the list of applications (filters, search, pagination, bulk moves)
and the read-only application page."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, load_only

from ..applications.models import Application
from ..core import jobs
from ..core.audit import record_event
from ..core.job_pages import job_page
from ..core.policy import allows, load
from ..core.refusal import REFUSED, Refused, form_status, refuse_on
from ..core.workflow import definitions
from ..core.workflow.diagram import render_svg
from ..core.workflow.engine import definition_for
from ..extensions import db
from ..funds.models import Fund, Round
from ..organisations.models import APPLICANT_TYPES, US_STATES
from . import queries
from .forms import StaffNoteForm
from .operations import add_staff_note, bulk_fire, staff_notes
from .presenters import theme_label, theme_labels, workflow_context
from .tasks import BULK_TASK
from .views import bp


def _state_choices(round_) -> list[tuple[str, str]]:
    """States to filter by: the round's workflow, or every workflow's (by name)."""
    if round_ is not None:
        found = [d for d in definitions() if (d.key, d.version) == (round_.workflow_key, round_.workflow_version)]
    else:
        found = definitions()
    seen: dict[str, str] = {}
    for definition in found:
        for state in definition.states.values():
            seen.setdefault(state.name, state.label)
    return list(seen.items())


def _bulk_triggers(round_) -> list[tuple[str, str]]:
    """Moves staff can make, by trigger, for the bulk-action menu."""
    found = definitions()
    if round_ is not None:
        found = [d for d in found if (d.key, d.version) == (round_.workflow_key, round_.workflow_version)] or found
    seen: dict[str, str] = {}
    for definition in found:
        for transition in definition.transitions:
            if "admin" in transition.roles:
                seen.setdefault(transition.trigger, transition.label)
    return list(seen.items())


def _round_choices() -> list[Round]:
    """Every round, latest opening first, with only what the filter and the bulk
    menu show (not settings or descriptions, whose decoding would cost the most)."""
    query = (select(Round).join(Round.fund)
             .options(load_only(Round.id, Round.name, Round.workflow_key, Round.workflow_version),
                      contains_eager(Round.fund).load_only(Fund.name))
             .order_by(Round.opens_at.desc()))
    return db.session.scalars(query).all()


@bp.route("/admin/applications")
@allows("manage", "application")
def applications():
    filters = queries.ApplicationFilters.from_args(request.args)
    page = queries.page_of_applications(filters)
    rounds = _round_choices()
    current_round = next((r for r in rounds if r.id == filters.round_id), None)
    labels = theme_labels()  # the themes the application forms offer
    themes = sorted(set(labels) | ({filters.theme} if filters.theme else set()),
                    key=lambda t: theme_label(t, labels))
    return render_template(
        "staff/applications.html", filters=filters, page=page, current_round=current_round,
        rounds=[(r.id, f"{r.fund.name}: {r.name}") for r in rounds], states=_state_choices(current_round),
        themes=[(t, theme_label(t, labels)) for t in themes], applicant_types=APPLICANT_TYPES,
        us_states=US_STATES, triggers=_bulk_triggers(current_round),
    )


#: a bulk action on more applications than this runs as a background job
BULK_IN_REQUEST_LIMIT = 200


def _bulk_targets(filters) -> list[Application]:
    if request.form.get("scope") == "all":
        return queries.all_matching(filters)
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    return queries.applications_by_id(ids)


@bp.route("/admin/applications/bulk", methods=["POST"])
@allows("manage", "application")
def bulk_action():
    filters = queries.ApplicationFilters.from_args(request.form)
    back = url_for("staff.applications", **filters.as_args())
    trigger = request.form.get("trigger", "")
    targets = _bulk_targets(filters)
    if not targets:
        flash("Select at least one application, or choose “all applications matching the filters”.", "error")
        return redirect(back)
    transitions = [t for t in (next((t for t in definition_for(a).transitions if t.trigger == trigger), None)
                               for a in targets) if t is not None]
    if not transitions:
        flash("Choose an action that exists in these applications' workflow.", "error")
        return redirect(back)
    label = transitions[0].label
    comment = (request.form.get("comment") or "").strip()
    needs_comment = any(t.comment_required for t in transitions)
    confirm_texts = sorted({t.confirm for t in transitions if t.confirm})
    comment_missing = needs_comment and not comment
    if comment_missing or (confirm_texts and request.form.get("confirmed") != "yes"):
        attempted = request.form.get("confirmed") == "yes" or not confirm_texts
        return render_template(
            "staff/bulk_confirm.html", targets=targets, trigger=trigger, label=label, comment=comment,
            needs_comment=needs_comment, confirm_texts=confirm_texts, filters=filters, back=back,
            scope=request.form.get("scope", "selected"),
            comment_error="Enter a comment: this step needs one." if comment_missing and attempted else None,
        ), (REFUSED if comment_missing and attempted else 200)
    if len(targets) > BULK_IN_REQUEST_LIMIT:
        # too many for one request: a job makes the same moves a batch at a time
        job = jobs.enqueue(BULK_TASK, actor=current_user, trigger=trigger, label=label, comment=comment or None,
                           application_ids=[a.id for a in targets])
        record_event(actor=current_user, action="staff.bulk_requested", subject=job,
                     data={"trigger": trigger, "count": len(targets), "filters": filters.as_args()})
        return redirect(url_for("staff.bulk_job", job_id=job.id, **filters.as_args()))
    results = bulk_fire(targets, trigger, current_user, comment=comment or None)
    return render_template("staff/bulk_results.html", results=results, label=label, back=back,
                           done=sum(r.is_done for r in results))


@bp.route("/admin/applications/bulk/<int:job_id>")
@allows("view", "job")
def bulk_job(job_id: int):
    job = load("job", job_id, "view")
    if job.task != BULK_TASK:
        abort(404)
    filters = queries.ApplicationFilters.from_args(request.args)
    return job_page("staff/bulk_job.html", job, label=job.args.get("label", job.args["trigger"]), filters=filters,
                    back=url_for("staff.applications", **filters.as_args()))


@bp.route("/admin/applications/<int:application_id>")
@allows("manage", "application")
def application(application_id: int):
    return _application_page(load("application", application_id, "manage"), StaffNoteForm())


def _application_page(application, note_form, status: int = 200):
    wf = workflow_context(application, current_user)
    diagram = render_svg(wf.definition, current=application.state, id_prefix=f"wf-app-{application.id}")
    return render_template("staff/application.html", application=application, wf=wf, diagram=diagram,
                           theme_label=theme_label, note_form=note_form, notes=staff_notes(application)), status


@bp.route("/admin/applications/<int:application_id>/notes", methods=["POST"])
@allows("manage", "application")
def add_note(application_id: int):
    application = load("application", application_id, "manage")
    form = StaffNoteForm()
    if form.validate_on_submit():
        try:
            add_staff_note(application, current_user, form.text.data)
        except Refused as exc:
            refuse_on(form, exc, "text")
        else:
            flash("Your note is added. Only fund staff see it.", "success")
            return redirect(url_for("staff.application", application_id=application.id, _anchor="notes-heading"))
    return _application_page(application, form, form_status(form))
