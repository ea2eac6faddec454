"""Staff moves found by what a workflow declares, for the demo and the
lifecycle tests: "screen it", "ask for information", "decline it" are the
administrator's moves into a stage (and, where it matters, into an editable or
a decided state), whatever the workflow names its states and triggers."""
from __future__ import annotations

from ..core.workflow import fire


def staff_move(application, *, into: str, editable: bool | None = None, decided: bool | None = None):
    """The administrator's move from the current state into a state of stage
    ``into`` (editable, decided as asked), or None."""
    definition = application.workflow
    for transition in definition.transitions_from(application.state):
        dest = definition.states[transition.dest]
        if "admin" not in transition.roles or dest.stage != into:
            continue
        if editable is not None and dest.is_editable != editable:
            continue
        if decided is not None and dest.is_decided != decided:
            continue
        return transition
    return None


def make_staff_move(application, admin, *, into: str, comment: str | None = None, **flags):
    transition = staff_move(application, into=into, **flags)
    if transition is None:
        state = application.workflow.states[application.state]
        raise LookupError(f"{application.workflow.key} v{application.workflow.version}: no administrator's move "
                          f"from “{state.label}” into the {into} stage")
    return fire(application, transition.trigger, admin, comment=comment)


def until_decidable(application, admin, can_decide) -> None:
    """Take the steps a process puts before its decision (an interview, a
    second reading) until ``can_decide(application)``: moves that stay in the
    deciding stage without deciding."""
    for _ in range(len(application.workflow.states)):
        if can_decide(application):
            return
        make_staff_move(application, admin, into="deciding", decided=False,
                        comment="The panel met the applicant.")
