"""The applicants' reads: their organization's applications, with the status
and timeline they see on their own pages (applicant labels, applicant-visible
events only, staff shown as "Fund staff")."""
from __future__ import annotations

import sqlalchemy as sa

from ..applications.models import Application, reference_for
from ..staff.presenters import WorkflowContext


def applications_select(user):
    if user.organisation_id is None:  # no organisation yet: no applications (never all those with NULL)
        return sa.select(Application).where(sa.false())
    return sa.select(Application).where(Application.organisation_id == user.organisation_id)


def application_row(application: Application) -> dict:
    return {"id": application.id, "reference": reference_for(application.id), "round_id": application.round_id,
            "title": application.title, "status": application.state_label_for_applicant,
            "amount_requested_cents": application.amount_requested_cents,
            "submitted_at": application.submitted_at, "decided_at": application.decided_at,
            "updated_at": application.updated_at}


def application_detail(application: Application, user) -> dict:
    context = WorkflowContext(application, user, applicant_view=True)
    return {**application_row(application),
            "timeline": [{"at": e.at, "title": e.title, "actor": e.actor, "comment": e.comment}
                         for e in context.timeline]}
