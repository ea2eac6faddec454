"""Who may do what to an organisation (``core.policy``): its own applicants
keep its profile and invite colleagues; another organisation's members never
learn it exists; staff manage organisations from their own pages."""
from __future__ import annotations

from ..core.policy import ALLOW, deny, has_role, hidden, kind, staff
from .models import Organisation

organisation = kind("organisation", model=Organisation)
organisation.action("manage")(staff)


@organisation.action("edit", "invite")
def member(user, obj) -> object:
    if not has_role(user, "applicant"):
        return deny("Only applicants (staff of a government) keep an organization profile.")
    if obj is None or obj.id == user.organisation_id:
        return ALLOW
    return hidden()
