"""Who may do what to applications and their files (``core.policy``).

The applying organisation's members work on their application; another
organisation's never learn it exists (404). Staff manage every application
from their own pages, where the applicant pages are closed to them (403);
reviewers reach an application only through their assignments. Workflow
roles (``applicant``, ``reviewer``, whatever a fund's YAML names) are
resolved by the domains that own them (``core.workflow.registry``), so this
module needs nothing from the layers above."""
from __future__ import annotations

from ..core.policy import ALLOW, deny, has_role, hidden, kind, signed_in, staff
from ..core.workflow.engine import definition_for, holds_role
from ..extensions import db
from .models import Application, Attachment

NOT_APPLICANT = "These pages are for the applying government's staff; fund staff and reviewers use their own pages."


def _load_application(ident):
    from sqlalchemy.orm import joinedload

    return db.session.get(Application, ident,
                          options=[joinedload(Application.round), joinedload(Application.organisation)])


application = kind("application", model=Application, fetch=_load_application)
application.action("manage")(staff)


@application.action("apply")
def apply(user, obj) -> object:
    return ALLOW if has_role(user, "applicant") else deny(NOT_APPLICANT)


@application.action("edit")
def edit(user, obj) -> object:
    """The applicant pages: status, form pages, submit, withdraw, replies."""
    if not has_role(user, "applicant"):
        return deny(NOT_APPLICANT)
    if obj is None or holds_role(obj, user, "applicant"):
        return ALLOW
    return hidden()


@application.action("follow")
def follow(user, obj) -> object:
    """Pages both the applying organisation and staff read (award offer, letters)."""
    if has_role(user, "admin"):
        return ALLOW
    if not has_role(user, "applicant"):
        return deny("Only the applying government and fund staff can see this page.")
    if obj is None or holds_role(obj, user, "applicant"):
        return ALLOW
    return hidden()


@application.action("move")
def move(user, obj) -> object:
    """A workflow move's page: staff, and whoever holds a role of the
    application's workflow (the members, or for example an assigned reviewer
    if a fund's YAML names ``reviewer``); others never learn it exists. Whether
    the move itself is allowed now is the workflow's ``may()``."""
    if not signed_in(user):
        return deny("Sign in to continue.")
    if obj is None or has_role(user, "admin"):
        return ALLOW
    roles = {role for t in definition_for(obj).transitions for role in t.roles} - {"system"}
    if any(holds_role(obj, user, role) for role in sorted(roles)):
        return ALLOW
    return hidden()


attachment = kind("attachment", model=Attachment)


@attachment.action("download")
def download(user, obj) -> object:
    """By kind of file: staff and the organisation download everything; the
    application's reviewers (assigned, not conflicted) its application files,
    never a grantee's report documents."""
    if not signed_in(user):
        return deny("Sign in to download files.")
    if obj is None or has_role(user, "admin") or holds_role(obj.application, user, "applicant"):
        return ALLOW
    # applicants cannot tell another organisation's files exist; reviewers are told why not
    refusal = deny if has_role(user, "reviewer") else hidden
    if obj.is_report_document:
        return refusal("Only the grantee and fund staff can download a report's documents.")
    if has_role(user, "reviewer") and holds_role(obj.application, user, "reviewer"):
        return ALLOW
    return refusal("Only the applying organization, fund staff and the application's reviewers can "
                   "download this file.")
