"""Who may do what to grants, reports and payments (``core.policy``).

A grant is an application in a grant stage (funded, closing, completed);
anything else is no grant (404). Staff manage every grant, its reports and
payments; the grantee's staff read their grant and file its reports; another
government never learns a grant exists (404), and reviewers are told these
pages are not theirs (403)."""
from __future__ import annotations

from ..applications.models import Application
from ..core.policy import ALLOW, deny, has_role, hidden, kind, staff
from ..core.workflow import meaning
from ..core.workflow.engine import holds_role
from ..extensions import db
from .models import Disbursement, Report

NOT_GRANTEE = "Only the grantee's staff and fund staff can see grants and their reports."


def _grant(application_id):
    application = db.session.get(Application, application_id)
    return application if application is not None and meaning.is_in(application, *meaning.GRANT_STAGES) else None


def _grantee_or_staff(user, application) -> object:
    if has_role(user, "admin"):
        return ALLOW
    if not has_role(user, "applicant"):
        return deny(NOT_GRANTEE)
    return ALLOW if application is None or holds_role(application, user, "applicant") else hidden()


#: an application in a grant stage (no model of its own: an Application is an "application")
grant = kind("grant", fetch=_grant)
grant.action("manage")(staff)
grant.action("view")(_grantee_or_staff)


@grant.action("own")
def own_grants(user, obj) -> object:
    """"My grants": the grantee's list of its own grants."""
    if not has_role(user, "applicant"):
        return deny("“My grants” lists an applicant government's grants; fund staff see every grant "
                    "from their own pages.")
    return ALLOW if obj is None or holds_role(obj, user, "applicant") else hidden()

report = kind("report", model=Report)
report.action("manage")(staff)


@report.action("view")
def view_report(user, obj) -> object:
    return _grantee_or_staff(user, obj.application if obj is not None else None)


@report.action("file")
def file_report(user, obj) -> object:
    """The grantee's pages that fill in and submit a report (whether it is
    still open to changes is ``filing.may_edit``, shown on the report's page)."""
    if not has_role(user, "applicant"):
        return deny("Only the grantee's staff can fill in reports.")
    return ALLOW if obj is None or holds_role(obj.application, user, "applicant") else hidden()


kind("payment", model=Disbursement).action("manage")(staff)
