"""Named guards, effects and role resolvers that workflow YAML refers to.

Guards are pure: ``guard(application, context) -> str | None`` returns a reason
to refuse, or None. ``may()`` runs them, so they must not change anything.

Effects run after the commit: ``effect(application_id, transition)`` where
``transition`` is a plain dict (trigger, source, dest, actor_id, comment, data).

Role resolvers say whether a user holds a workflow role *for one application*
(for example "applicant" means a member of the applying organisation).
"""
from __future__ import annotations

from typing import Callable

GUARDS: dict[str, Callable] = {}
EFFECTS: dict[str, Callable] = {}
ROLE_RESOLVERS: dict[str, Callable] = {}
#: the one function that sends a letter effect's letter (the workflow's
#: ``letters:`` maps each letter effect to a folder): ``(application_id, transition, folder)``
LETTER_SENDERS: list[Callable] = []


#: the model whose rows move through the workflows, registered by the domain
#: that owns it (``@workflow_subject``), so that the shared workflow pages
#: (``views``) import no domain
SUBJECT: list[type] = []


def workflow_subject(model: type) -> type:
    SUBJECT[:] = [model]
    return model


def subject_model() -> type:
    if not SUBJECT:
        raise LookupError("no domain registered the model that moves through the workflows")
    return SUBJECT[0]


def guard(name: str):
    def decorator(func):
        GUARDS[name] = func
        return func
    return decorator


def effect(name: str):
    def decorator(func):
        EFFECTS[name] = func
        return func
    return decorator


def letter_sender(func):
    LETTER_SENDERS[:] = [func]
    return func


def role_resolver(name: str):
    def decorator(func):
        ROLE_RESOLVERS[name] = func
        return func
    return decorator


# "system" is the engine itself acting (for example when the last review is in);
# no signed-in user ever holds it.
ROLE_RESOLVERS["system"] = lambda application, user: user is None
