"""The review domain's workflow role, guard and form checker.

- role ``reviewer``: an active (not recused, declined or removed) assignment to
  the application whose reviewer has declared no conflict of interest; the
  applications domain also uses it to let reviewers download attachments, so
  nothing of the application is served before the declaration.
- guard ``all_reviews_submitted`` on the move that closes the reviews.
- ``grantflow forms check`` validates ``forms/rubrics/`` with ``check_rubric_file``.
- a download-name hook of the applications domain: a blind reviewer downloads
  attachments under a neutral name (``L2G-00012-attachment-7.pdf``), never the
  applicant's own file name.
"""
from __future__ import annotations

from sqlalchemy import select

from ..applications.uploads import DOWNLOAD_NAME_HOOKS
from ..core.formdefs import register_checker
from ..core.workflow import guard, role_resolver
from ..extensions import db
from .models import ReviewAssignment
from .rubrics import check_rubric_file

register_checker("rubrics", check_rubric_file)


def active_assignment(application, user) -> ReviewAssignment | None:
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(select(ReviewAssignment).where(
        ReviewAssignment.application_id == application.id, ReviewAssignment.reviewer_id == user.id,
        ReviewAssignment.status == "active"))


@role_resolver("reviewer")
def is_assigned_reviewer(application, user) -> bool:
    assignment = active_assignment(application, user)
    return assignment is not None and assignment.coi_status == "none" and user.has_role("reviewer")


#: the move that closes the reviews carries this guard (the system fires it when the last review is in)
ALL_REVIEWS_SUBMITTED = "all_reviews_submitted"


@guard(ALL_REVIEWS_SUBMITTED)
def all_reviews_submitted(application, context) -> str | None:
    from .scoring import active_and_submitted

    active, submitted = active_and_submitted(application.id)
    if active == 0:
        return "No reviewer is assigned to this application yet."
    if submitted < active:
        waiting = active - submitted
        return (f"{waiting} of the {active} assigned review{'s' if active != 1 else ''} "
                f"{'is' if waiting == 1 else 'are'} not submitted yet.")
    return None


def blind_download_name(user, attachment) -> str | None:
    """The neutral name a blind reviewer gets; None for everyone else."""
    if user is None or not getattr(user, "is_authenticated", False) or user.has_role("admin"):
        return None
    application = attachment.application
    if user.organisation_id is not None and user.organisation_id == application.organisation_id:
        return None
    assignment = active_assignment(application, user)
    if assignment is None:
        return None
    from .operations import is_blind

    if not is_blind(assignment):
        return None
    return f"{application.reference}-attachment-{attachment.id}"  # the detected extension is added


if blind_download_name not in DOWNLOAD_NAME_HOOKS:
    DOWNLOAD_NAME_HOOKS.append(blind_download_name)
