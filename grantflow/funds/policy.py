"""Who may do what to funds and rounds (``core.policy``).

Staff manage both. Applicants apply to a round (whether it is open is the
application form's business, which says so; the policy only decides who)."""
from __future__ import annotations

from ..core.policy import ALLOW, deny, has_role, kind, staff
from .models import Fund, Round

fund = kind("fund", model=Fund)
fund.action("manage")(staff)

round_ = kind("round", model=Round)
round_.action("manage")(staff)


@round_.action("apply")
def apply_to(user, round_obj) -> object:
    if has_role(user, "applicant"):
        return ALLOW
    return deny("Only applicants (staff of a government) can apply; fund staff and reviewers use their own pages.")
