"""Factories for the mentor network: grantees who mentor, requests and matches,
made through the domain's own verbs so the rules hold as in production."""
from __future__ import annotations

from grantflow.extensions import db
from grantflow.mentoring import operations, proposals
from grantflow.mentoring.models import MentorMatch

from tests import factories


def create_grantee(*, grant_state: str = "closed", organisation=None, **org):
    """An applicant whose government holds a grant in workflow state ``grant_state``."""
    organisation = organisation or factories.create_organisation(**org)
    user = factories.create_applicant(organisation)
    factories.create_application(factories.create_round(), organisation, state=grant_state, created_by=user)
    return user


def create_drafter(**org):
    """An applicant preparing an application (may ask for a mentor)."""
    organisation = factories.create_organisation(**org)
    user = factories.create_applicant(organisation)
    factories.create_application(factories.create_round(), organisation, created_by=user)
    return user


def opt_in(user, **values):
    organisation = user.organisation
    defaults = {"themes": ["climate"], "applicant_type": organisation.applicant_type,
                "us_state": organisation.state, "languages": ["en"], "max_mentees": 2,
                "note": "We ran a sister-city climate exchange.", "is_visible": True}
    return operations.opt_in(user, **{**defaults, **values})


def ask(user, **values):
    defaults = {"themes": ["climate"], "languages": ["en"], "needs": "Planning our first delegation."}
    return operations.ask_for_mentor(user, **{**defaults, **values})


def create_match(mentor, mentee, *, admin=None, status: str = "approved") -> MentorMatch:
    """A match of ``mentee``'s request (asked now if need be) with ``mentor``, taken to ``status``."""
    request = operations.open_request_of(mentee) or ask(mentee)
    if operations.profile_of(mentor) is None:
        opt_in(mentor)
    admin = admin or factories.create_user("admin")
    match = MentorMatch(request=request, mentor_id=mentor.id, mentee_id=mentee.id, score=50)
    db.session.add(match)
    db.session.flush()
    if status in ("approved", "introduced"):
        proposals.approve_match(match, admin)
    if status == "introduced":
        operations.respond(match, mentor, accept=True)
        operations.respond(match, mentee, accept=True)
    return match
