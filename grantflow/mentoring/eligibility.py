"""Who may mentor and who may ask for a mentor, decided by what the workflow
declares (each state's ``stage:``), never by a state's name."""
from __future__ import annotations

import sqlalchemy as sa

from ..applications.models import Application
from ..core.permissions import ALLOW, Decision, deny
from ..core.workflow import meaning
from ..extensions import db

#: a mentor's government holds a grant, running or closed
MENTOR_STAGES = meaning.GRANT_STAGES
#: an applicant preparing an application, or a new grantee whose grant is running
MENTEE_STAGES = ("preparing", "funded")


def organisations_in(*stages: str):
    """SELECT the ids of organisations with an application in one of these stages."""
    return sa.select(Application.organisation_id).where(meaning.in_stages(Application, *stages)).distinct()


def _has_application_in(user, stages) -> bool:
    if user.organisation_id is None:
        return False
    return db.session.scalar(sa.select(sa.exists().where(
        Application.organisation_id == user.organisation_id, meaning.in_stages(Application, *stages)))) or False


def may_mentor(user) -> Decision:
    if not user.has_role("applicant"):
        return deny("Mentors are grantees of the fund.")
    if not _has_application_in(user, MENTOR_STAGES):
        return deny("Mentors are grantees: once your government's grant is running or closed, you can offer "
                    "to mentor other governments.")
    return ALLOW


def may_ask(user) -> Decision:
    if not user.has_role("applicant"):
        return deny("Mentors are offered to applicants and grantees.")
    if not _has_application_in(user, MENTEE_STAGES):
        return deny("You can ask for a mentor while you prepare an application, or once your government's "
                    "grant is running.")
    return ALLOW
