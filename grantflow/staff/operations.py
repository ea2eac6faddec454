"""Staff verbs on many applications at once."""
from __future__ import annotations

from dataclasses import dataclass

from ..core.workflow import ConcurrentChange, TransitionRefused, fire, may
from ..core.workflow.engine import definition_for
from ..extensions import db


@dataclass(frozen=True)
class BulkResult:
    application: object
    is_done: bool
    message: str


def bulk_fire(applications, trigger: str, actor, *, comment: str | None = None) -> list[BulkResult]:
    """Fire ``trigger`` on each application, each move in its own SAVEPOINT:
    a refused or conflicting application is reported and rolled back alone,
    the others' moves (and their audit rows and effects) stay. Flushes, never
    commits (the request does)."""
    results = []
    for application in applications:
        decision = may(application, trigger, actor, comment=comment, check_comment=True)
        if not decision:
            results.append(BulkResult(application, False, decision.reason))
            continue
        try:
            with db.session.begin_nested():
                fire(application, trigger, actor, comment=comment)
        except (TransitionRefused, ConcurrentChange) as exc:
            results.append(BulkResult(application, False, str(exc)))
            continue
        label = definition_for(application).state(application.state).label
        results.append(BulkResult(application, True, f"Moved to “{label}”."))
    return results
