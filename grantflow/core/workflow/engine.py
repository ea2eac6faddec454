"""Run workflow definitions with ``transitions``.

One ``Machine`` per (key, version), built at start-up with ``model=None`` and
cached in ``app.extensions``: rows are never added to a machine (that would keep
a reference to each row and cost ~0.6 ms and 28 KiB per row). An event is
triggered on a row directly; the machine reads and writes ``row.state``.

The only callback is ``after_state_change``, which appends the audit row and
registers the declared effects to run after the commit. No I/O happens inside
the machine, so a failure cannot leave a half-done move behind.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from transitions import Machine, MachineError

from ...extensions import db
from .. import outbox
from ..cache import portfolio_changed
from ..audit import record_event
from ..models import AuditEvent
from ..permissions import Decision, deny
from . import registry
from .signals import application_moved
from .definition import Transition, WorkflowDefinition, WorkflowError, load_directory

EXTENSION_KEY = "grantflow.workflows"


class TransitionRefused(Exception):
    """The move is not allowed now; ``str()`` is a reason fit for the user."""

    status_code = 403


class ConcurrentChange(Exception):
    """Someone else changed the application first (HTTP 409)."""

    status_code = 409

    def __init__(self, message: str = "This application changed while you were looking at it. "
                                      "Reload the page to see its current state, then try again."):
        super().__init__(message)


@dataclass(frozen=True)
class Action:
    """A move an actor may be offered, with why it is unavailable if it is."""

    transition: Transition
    decision: Decision

    @property
    def trigger(self) -> str:
        return self.transition.trigger

    @property
    def label(self) -> str:
        return self.transition.label

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    @property
    def reason(self) -> str:
        return self.decision.reason

    @property
    def comment_required(self) -> bool:
        return self.transition.comment_required

    @property
    def confirm(self) -> str | None:
        return self.transition.confirm


class Registry:
    def __init__(self, found: list[WorkflowDefinition]):
        self.definitions = {d.ident: d for d in found}
        self.machines = {d.ident: self._build_machine(d) for d in found}

    def _build_machine(self, definition: WorkflowDefinition) -> Machine:
        machine = Machine(
            model=None, states=list(definition.states), initial=None, auto_transitions=False,
            send_event=True, after_state_change=[_after_state_change],
            name=f"{definition.key}.v{definition.version}",
        )
        for t in definition.transitions:
            machine.add_transition(t.trigger, list(t.sources), t.dest)
        return machine

    def latest(self, key: str) -> WorkflowDefinition:
        versions = [d for (k, _), d in self.definitions.items() if k == key]
        if not versions:
            raise WorkflowError(f"no workflow with key '{key}'")
        return max(versions, key=lambda d: d.version)


def init_app(app) -> None:
    """Load and validate every definition; an invalid one stops start-up."""
    app.extensions[EXTENSION_KEY] = Registry(load_directory(app.config["WORKFLOWS_DIR"]))
    app.jinja_env.filters["workflow_name"] = workflow_name


def workflow_name(key: str, version: int) -> str:
    """How pages name a workflow: its title and version, not its file key."""
    try:
        return f"{get_definition(key, version).title}, version {version}"
    except WorkflowError:
        return f"{key} version {version} (no longer installed)"


def _registry() -> Registry:
    return current_app.extensions[EXTENSION_KEY]


def definitions() -> list[WorkflowDefinition]:
    return sorted(_registry().definitions.values(), key=lambda d: (d.key, d.version))


def get_definition(key: str, version: int | None = None) -> WorkflowDefinition:
    reg = _registry()
    if version is None:
        return reg.latest(key)
    try:
        return reg.definitions[(key, version)]
    except KeyError:
        raise WorkflowError(f"no workflow {key} v{version}") from None


def definition_for(application) -> WorkflowDefinition:
    return get_definition(application.workflow_key, application.workflow_version)


def holds_role(application, user, role: str) -> bool:
    resolver = registry.ROLE_RESOLVERS.get(role)
    return bool(resolver and resolver(application, user))


def _role_decision(application, transition: Transition, actor) -> Decision:
    if any(holds_role(application, actor, role) for role in transition.roles):
        return Decision(True)
    if actor is None:
        return deny(f"“{transition.label}” must be done by a person.")
    readable = " or ".join(r.replace("_", " ") for r in transition.roles)
    return deny(f"Only the {readable} can “{transition.label.lower()}”.")


def may(application, trigger: str, actor, *, comment: str | None = None, data: dict | None = None,
        check_comment: bool = False) -> Decision:
    """Whether ``actor`` (a user, or None for the system) may fire ``trigger`` now."""
    definition = definition_for(application)
    transition = definition.transition(application.state, trigger)
    if transition is None:
        state = definition.states.get(application.state)
        label = state.label if state else application.state
        return deny(f"This cannot be done while the application is “{label}”.")
    decision = _role_decision(application, transition, actor)
    if not decision:
        return decision
    context = {"actor": actor, "trigger": trigger, "comment": comment, "data": data or {}}
    for name in transition.guards:
        reason = registry.GUARDS[name](application, context)
        if reason:
            return deny(reason)
    if check_comment and transition.comment_required and not (comment or "").strip():
        return deny("A comment is required for this step.")
    return Decision(True)


def available_actions(application, actor) -> list[Action]:
    """Moves from the current state that ``actor``'s roles allow, each with
    the guard's verdict so the UI can show why a step is not yet possible."""
    definition = definition_for(application)
    actions = []
    for transition in definition.transitions_from(application.state):
        if not _role_decision(application, transition, actor):
            continue
        actions.append(Action(transition, may(application, transition.trigger, actor)))
    return actions


def fire(application, trigger: str, actor, *, comment: str | None = None, data: dict | None = None,
         expected_version: int | None = None):
    """Move ``application`` by ``trigger`` as ``actor``; flush, never commit.

    Raises ``TransitionRefused`` with a reason, or ``ConcurrentChange`` when the
    row changed since the actor loaded it (``expected_version``) or while this
    transaction ran (the optimistic lock on ``application.version``)."""
    if expected_version is not None and application.version != expected_version:
        raise ConcurrentChange()
    decision = may(application, trigger, actor, comment=comment, data=data, check_comment=True)
    if not decision:
        raise TransitionRefused(decision.reason)
    machine = _registry().machines[(application.workflow_key, application.workflow_version)]
    source = application.state
    try:
        machine.events[trigger].trigger(application, actor=actor, comment=comment, data=data or {})
    except MachineError as exc:  # the definition and the machine disagree: never silently
        raise TransitionRefused(str(exc)) from exc
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ConcurrentChange() from exc
    application_moved.send(application, source=source, dest=application.state, actor=actor, comment=comment,
                           transition=definition_for(application).transition(source, trigger))
    return application


def lock(application):
    """Hold the application's row until the transaction ends and reload it.

    What the system does on its own (closing the reviews when the last one is
    in, moving on once a letter or the final report is there) decides from rows
    that other transactions write at the same moment: two reviewers submitting
    the last two reviews each count the other's as missing, and neither closes.
    Taken before counting, the lock makes the second wait for the first to
    commit, then count again and see both. ``FOR NO KEY UPDATE`` does not wait
    on the key-share locks that inserting a review or an audit row takes on the
    application, so it cannot deadlock with them. SQLite writes one
    transaction at a time and has no row locks."""
    if db.session.get_bind().dialect.name == "sqlite":
        return application
    model = type(application)
    return db.session.scalars(
        select(model).where(model.id == application.id).with_for_update(key_share=True)
        .execution_options(populate_existing=True)).one()


def advance_as_system(application, *, comment: str | None = None, data: dict | None = None) -> str | None:
    """Make the move the workflow lets the system make now, if any; return its trigger.

    The moves are the definition's (those whose roles include ``system``), their
    guards decide, and the row lock makes the decision see every committed
    change: see ``lock``."""
    lock(application)
    for action in available_actions(application, None):
        if action.allowed:
            fire(application, action.trigger, None, comment=comment, data=data)
            return action.trigger
    return None


def _after_state_change(event) -> None:
    application = event.model
    transition_def = definition_for(application).transition(event.transition.source, event.event.name)
    actor = event.kwargs.get("actor")
    comment = event.kwargs.get("comment")
    data = event.kwargs.get("data") or {}
    record_event(
        actor=actor, action=f"workflow.{event.event.name}", application=application,
        from_state=event.transition.source, to_state=event.transition.dest, comment=comment,
        data={k: v for k, v in data.items() if isinstance(v, (str, int, float, bool, type(None)))},
        visible_to_applicant=transition_def.is_visible_to_applicant,
    )
    application.on_state_changed(event.transition.source, event.transition.dest)
    portfolio_changed()
    payload = {
        "trigger": event.event.name, "source": event.transition.source, "dest": event.transition.dest,
        "actor_id": getattr(actor, "id", None), "comment": comment, "data": data,
    }
    letters = definition_for(application).letters
    for name in transition_def.effects:
        outbox.on_commit(_run_effect, name, application.id, {**payload, "letter_folder": letters.get(name)})


def _run_effect(name: str, application_id: int, payload: dict) -> None:
    """Effects run after the move is committed, each in its own transaction
    (an email queued, a job enqueued). A failing effect never undoes the move
    and never turns the user's successful request into an error page: it is
    logged and written to the application's history for staff to see. Tests
    see the exception (``PROPAGATE_EFFECT_ERRORS``, on when TESTING)."""
    try:
        if payload.get("letter_folder"):
            registry.LETTER_SENDERS[0](application_id, payload, payload["letter_folder"])
        else:
            registry.EFFECTS[name](application_id, payload)
        outbox.commit()
    except Exception as exc:  # noqa: BLE001 - any failure of a fund's effect is reported, not raised
        db.session.rollback()
        if current_app.config.get("PROPAGATE_EFFECT_ERRORS", current_app.testing):
            raise
        current_app.logger.exception("workflow effect %r failed for application %s after %r", name,
                                     application_id, payload.get("trigger"))
        db.session.add(AuditEvent(
            application_id=application_id, subject_type="Application", subject_id=application_id,
            action="effect.failed", comment=f"After “{payload.get('trigger')}”, the step “{name}” failed: {exc}",
            data={"effect": name, "trigger": payload.get("trigger")}, is_visible_to_applicant=False))
        outbox.commit()
