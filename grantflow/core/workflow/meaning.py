"""What the states and moves of a workflow mean to the rest of GrantFlow.

A workflow file names its states and triggers as the fund likes; Python never
does. Each state declares a ``stage`` (below), and each move a domain relies on
is found through what the file declares about it: its guard (the award is the
move guarded by ``award_terms_recorded``), its effect, its role or the stage it
leads to. ``STAGES`` is GrantFlow's own vocabulary, deliberately worded apart
from any shipped state name so that a rename in a workflow file can never be
mistaken for a change of meaning.
"""
from __future__ import annotations

import sqlalchemy as sa

#: stage -> what it means, in a fund administrator's words (shown by the checks)
STAGES = {
    "preparing": "the applicant is preparing the application (not yet submitted)",
    "received": "submitted, waiting for eligibility screening",
    "checking": "eligibility screening (or waiting for information the fund asked for)",
    "reviewing": "panel review: reviewers are assigned and score the application",
    "deciding": "waiting for the fund's decision (reviews closed, interview, waiting list)",
    "selected": "selected for funding: award terms recorded, award letter being prepared",
    "offered": "award offered: the applicant accepts or declines",
    "funded": "an active grant: reports and payments",
    "closing": "closeout: checklist before the grant is closed",
    "completed": "a closed grant",
    "unsuccessful": "not funded (ineligible or declined)",
    "refused": "the applicant declined the award offer",
    "retracted": "withdrawn by the applicant",
}
#: a grant exists: the applicant accepted the award
GRANT_STAGES = ("funded", "closing", "completed")
#: a grant still running: reports are due and reminded
OPEN_GRANT_STAGES = ("funded", "closing")
#: the panel looks at it: reviews are written, or read for the decision
PANEL_STAGES = ("reviewing", "deciding")
#: decisions with letters a round batch renders
DECISION_STAGES = ("deciding", "unsuccessful", "selected", "offered")
#: no longer competing for funds in its round
OUT_OF_THE_RUNNING_STAGES = ("unsuccessful", "refused", "retracted")


def _definitions():
    from .engine import definitions

    return definitions()


def _definition(application):
    from .engine import definition_for

    return definition_for(application)


def stage_of(application) -> str:
    return _definition(application).stage_of(application.state)


def is_in(application, *stages: str) -> bool:
    return stage_of(application) in stages


def move(application, *, guard: str | None = None, effect: str | None = None, into: str | None = None,
         role: str | None = None, letter: bool | None = None):
    """The move out of the application's current state that declares all of
    these (a guard, an effect, the stage it leads to, a role, a letter), or None."""
    definition = _definition(application)
    for transition in definition.transitions_from(application.state):
        if guard is not None and guard not in transition.guards:
            continue
        if effect is not None and effect not in transition.effects:
            continue
        if into is not None and definition.stage_of(transition.dest) != into:
            continue
        if role is not None and role not in transition.roles:
            continue
        if letter is not None and (definition.letter_of(transition) is not None) != letter:
            continue
        return transition
    return None


def trigger_of(application, **declared) -> str | None:
    transition = move(application, **declared)
    return transition.trigger if transition else None


def in_stages(model, *stages: str):
    """An SQL condition: the row (an ``Application``) is in one of these stages,
    whichever workflow and version it runs on."""
    clauses = []
    for definition in _definitions():
        names = definition.states_in(*stages)
        if names:
            clauses.append(sa.and_(model.workflow_key == definition.key,
                                   model.workflow_version == definition.version, model.state.in_(names)))
    return sa.or_(*clauses) if clauses else sa.false()


def state_names_in(*stages: str) -> set[str]:
    """Every state name, in any loaded workflow, with one of these stages (for
    code that filters without the workflow at hand; prefer ``in_stages``)."""
    return {name for d in _definitions() for name in d.states_in(*stages)}


def _refusal(application) -> str:
    definition = _definition(application)
    state = definition.states.get(application.state)
    return f"This cannot be done while the application is “{state.label if state else application.state}”."


def may_move(application, actor, *, comment: str | None = None, **declared):
    """``engine.may`` for the move that declares these, refused when there is none."""
    from ..permissions import deny
    from .engine import may

    transition = move(application, **declared)
    if transition is None:
        return deny(_refusal(application))
    return may(application, transition.trigger, actor, comment=comment)


def fire_move(application, actor, *, comment: str | None = None, data: dict | None = None,
              expected_version: int | None = None, **declared):
    """``engine.fire`` for the move that declares these (see ``move``)."""
    from .engine import TransitionRefused, fire

    transition = move(application, **declared)
    if transition is None:
        raise TransitionRefused(_refusal(application))
    return fire(application, transition.trigger, actor, comment=comment, data=data,
                expected_version=expected_version)
