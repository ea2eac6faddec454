"""Verbs on applications, for the applicant side. Each takes the acting user
explicitly, flushes and never commits (the request or the CLI commits)."""
from __future__ import annotations

from sqlalchemy import select

from ..core import formdefs
from ..core.audit import record_event
from ..core.cache import portfolio_changed
from ..core.mail import send_email
from ..core.permissions import ALLOW, Decision, deny
from ..core.refusal import Refused
from ..core.workflow import fire, get_definition, may, meaning
from ..core.workflow.engine import definition_for as workflow_for
from ..extensions import db
from .models import Application, Attachment
from .uploads import is_organisation_member, store_upload

#: the applicant's "send it" moves (the first submission, and the answer to a
#: request for information) are those guarded by complete answers
SUBMIT_GUARD = "answers_complete"


def _store_answers(application: Application, definition, answers: dict) -> list[str]:
    """Set the answers (profile-sourced ones refreshed) and their column copies;
    return the keys whose value changed."""
    context = formdefs.application_context(application)
    sourced = formdefs.sourced_values(definition, context)
    answers = formdefs.merge(answers, sourced)
    before = application.answers or {}
    if answers != before:
        application.answers = answers
    # the profile's copies are not the applicant's edits
    changed = sorted(k for k in set(before) | set(answers) if before.get(k) != answers.get(k) and k not in sourced)
    columns = formdefs.column_values(definition, answers)
    if "title" in columns:
        application.title = (columns["title"] or "")[:200]
    if "amount_requested_cents" in columns:
        application.amount_requested_cents = columns["amount_requested_cents"]
    if "themes" in columns:
        application.themes = list(columns["themes"] or [])
    return changed


def start_application(round_, organisation, actor, answers: dict) -> Application:
    """A new draft on the round's newest form version, seeded with the
    eligibility answers. Eligibility is the caller's check (see ``eligibility``)."""
    if not round_.is_open():
        raise Refused("This round is not open for applications.")
    if actor.organisation_id != organisation.id:
        raise Refused("You can only apply for your own organization.")
    definition = round_.application_form()
    workflow = get_definition(round_.workflow_key, round_.workflow_version)
    application = Application(
        round=round_, organisation=organisation, created_by=actor, workflow_key=workflow.key,
        workflow_version=workflow.version, state=workflow.initial, form_key=definition.key,
        form_version=definition.version, answers={}, title="", themes=[],
    )
    db.session.add(application)
    _store_answers(application, definition, answers)
    db.session.flush()
    record_event(actor=actor, action="application.started", application=application,
                 data={"label": "Application started", "round_id": round_.id,
                       "form": f"{definition.key}.v{definition.version}"},
                 visible_to_applicant=True)
    portfolio_changed()  # one application more (saving its answers later changes nothing counted)
    return application


def may_edit(application: Application, user) -> Decision:
    """Members of the applying organisation, in the states the workflow marks editable."""
    if not is_organisation_member(application, user):
        return deny("Only your organization's staff can change this application.")
    state = workflow_for(application).state(application.state)
    if not state.is_editable:
        return deny(f"This application is “{state.applicant_label}” and can no longer be changed.")
    return ALLOW


def save_page(application: Application, actor, definition, page, form, *, enforce_required: bool):
    """Save one posted page: uploads stored, valid answers merged (an invalid
    input keeps the previous answer), columns updated. Returns the PageResult;
    its problems (and the form's errors) say what to fix."""
    decision = may_edit(application, actor)
    if not decision:
        raise Refused(decision.reason)

    def store(field_key, upload):
        return store_upload(application, field_key, upload, actor).id

    result = formdefs.read_page(definition, page, form, application.answers or {},
                                context=formdefs.application_context(application),
                                enforce_required=enforce_required, store_upload=store)
    own_files = set(db.session.scalars(select(Attachment.id).where(Attachment.application_id == application.id)))
    result.answers = formdefs.answers.keep_attachments(definition, result.answers, own_files)
    changed = _store_answers(application, definition, result.answers)
    if changed and not application.state == workflow_for(application).initial:
        # after a submission every change matters to the fund: say who changed what
        record_event(actor=actor, action="application.answers_changed", application=application,
                     data={"page": page.id, "fields": changed})
    db.session.flush()
    return result


def submit_trigger(application: Application) -> str | None:
    return meaning.trigger_of(application, guard=SUBMIT_GUARD, role="applicant")


def is_resubmission(application: Application) -> bool:
    """Sending answers again (after a request for information), not a first submission."""
    return not meaning.is_in(application, "preparing")


def may_submit(application: Application, user) -> Decision:
    trigger = submit_trigger(application)
    if trigger is None:
        state = workflow_for(application).state(application.state)
        return deny(f"This application is “{state.applicant_label}”: there is nothing to submit.")
    return may(application, trigger, user)


def submit_application(application: Application, actor, *, expected_version: int | None = None) -> str:
    """Submit (or send back after a request for information) through the
    workflow, whose guards refuse late or incomplete applications; email the
    organisation's staff a receipt (the submission's one email). Returns the trigger fired."""
    trigger = submit_trigger(application)
    if trigger is None:
        raise Refused(may_submit(application, actor).reason)
    resubmitted = is_resubmission(application)
    _store_answers(application, formdefs.definition_for(application), application.answers or {})
    fire(application, trigger, actor, expected_version=expected_version)
    for member in application.organisation.members:
        if member.is_active:
            send_email(member.email, "application_submitted", user=member, application=application,
                       resubmitted=resubmitted)
    return trigger


def withdraw_application(application: Application, actor, *, reason: str | None = None,
                         expected_version: int | None = None) -> None:
    meaning.fire_move(application, actor, into="retracted", role="applicant",
                      comment=(reason or "").strip() or None, expected_version=expected_version)


def may_withdraw(application: Application, user) -> Decision:
    return meaning.may_move(application, user, into="retracted", role="applicant")


def withdraw_confirm_text(application: Application) -> str:
    transition = meaning.move(application, into="retracted", role="applicant")
    return (transition.confirm if transition and transition.confirm else
            "Withdrawing is final. You would need to start a new application to apply again.")


REPLY = "application.reply"
REPLY_MAX = 4000


def reply_to_fund(application: Application, actor, text: str):
    """The applicant answers a message from the fund: kept on the application's
    timeline (the applicant's and staff's) and emailed to the fund's administrators."""
    from ..users.operations import active_admins

    if not is_organisation_member(application, actor):
        raise Refused("Only the applicant's organization can reply here.")
    text = (text or "").strip()
    if not text:
        raise Refused("Write your reply first.", field="text")
    if len(text) > REPLY_MAX:
        raise Refused(f"Keep the reply under {REPLY_MAX:,} characters (it has {len(text):,}).", field="text")
    event = record_event(actor=actor, action=REPLY, application=application, comment=text,
                         visible_to_applicant=True)
    for admin in active_admins():
        send_email(admin.email, "applicant_replied", admin=admin, application=application, sender=actor, text=text)
    return event
