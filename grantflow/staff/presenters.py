"""What the workflow partials need, in one call.

Any page that shows an application includes ``workflows/_actions.html`` and
``workflows/_timeline.html`` with one line each; both call the Jinja global
``workflow_context(application, current_user)`` themselves, so the including
page only needs ``application`` in its context.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core.models import AuditEvent
from ..core.workflow import available_actions
from ..core.workflow.engine import Action, definition_for
from ..extensions import db


def is_staff(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.has_role("admin")


def is_member(application, user) -> bool:
    return (user is not None and getattr(user, "organisation_id", None) is not None
            and user.organisation_id == application.organisation_id)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    comment: str | None
    actor: str
    from_label: str | None
    to_label: str | None
    is_state_change: bool
    is_visible_to_applicant: bool
    ip_address: str | None


class WorkflowContext:
    """The application's workflow as one user sees it."""

    def __init__(self, application, user, *, applicant_view: bool | None = None):
        self.application = application
        self.user = user
        self.definition = definition_for(application)
        self.state = self.definition.state(application.state)
        #: applicant-facing labels and only the entries applicants may see
        self.applicant_view = (not is_staff(user)) if applicant_view is None else applicant_view

    @property
    def shows_identity(self) -> bool:
        """Staff and the organisation's own members see who applied; anyone
        else acting on it (a reviewer in a blind review) does not."""
        return is_staff(self.user) or is_member(self.application, self.user)

    @property
    def state_label(self) -> str:
        return self.state.applicant_label if self.applicant_view else self.state.label

    @cached_property
    def actions(self) -> list[Action]:
        if self.user is None or not getattr(self.user, "is_authenticated", False):
            return []
        return available_actions(self.application, self.user)

    @property
    def allowed_actions(self) -> list[Action]:
        return [a for a in self.actions if a.allowed]

    @cached_property
    def timeline(self) -> list[TimelineEntry]:
        query = (select(AuditEvent).where(AuditEvent.application_id == self.application.id)
                 .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.created_at, AuditEvent.id))
        if self.applicant_view:
            query = query.where(AuditEvent.is_visible_to_applicant.is_(True))
        return [self._entry(event) for event in db.session.scalars(query)]

    def _label(self, state_name: str | None) -> str | None:
        if state_name is None:
            return None
        state = self.definition.states.get(state_name)
        if state is None:  # a state of an older version of the workflow
            return state_name.replace("_", " ").capitalize()
        return state.applicant_label if self.applicant_view else state.label

    def _actor(self, event: AuditEvent) -> str:
        actor = event.actor
        if actor is None:
            return "GrantFlow (automatic)"
        if self.applicant_view and actor.organisation_id != self.application.organisation_id:
            return "Fund staff"
        return actor.name

    def _entry(self, event: AuditEvent) -> TimelineEntry:
        is_state_change = event.to_state is not None and event.to_state != event.from_state
        if is_state_change:
            title = self._label(event.to_state)
        else:
            title = (event.data or {}).get("label") or event.action.split(".")[-1].replace("_", " ").capitalize()
        return TimelineEntry(
            at=event.created_at, title=title, comment=event.comment, actor=self._actor(event),
            from_label=self._label(event.from_state), to_label=self._label(event.to_state),
            is_state_change=is_state_change, is_visible_to_applicant=event.is_visible_to_applicant,
            ip_address=None if self.applicant_view else event.ip_address,
        )


def workflow_context(application, user, *, applicant_view: bool | None = None) -> WorkflowContext:
    """The Jinja global the partials call: ``workflow_context(application, current_user)``."""
    return WorkflowContext(application, user, applicant_view=applicant_view)


def theme_labels() -> dict[str, str]:
    """Theme value -> label from the application forms' theme options (the
    portfolio's lookup); empty when that module is not installed."""
    try:
        from ..portfolio.labels import theme_labels as labels_from_forms
    except ImportError:
        return {}
    return labels_from_forms()


def theme_label(slug: str, labels: dict[str, str] | None = None) -> str:
    """A theme's display name: the form's label, else the stored value made readable."""
    labels = theme_labels() if labels is None else labels
    return labels.get(slug) or str(slug).replace("_", " ").replace("-", " ").capitalize()
