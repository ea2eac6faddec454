"""Who may do what in the mentor network (``core.policy``).

Members are applicants (the staff of a government, applying or holding a
grant): they offer to mentor, ask for a mentor and see the directory. A match
is seen by its two parties and by fund staff, answered and logged by its
parties only; anybody else may not learn it exists. A request is withdrawn by
the person who made it. Administrators propose, approve and change matches."""
from __future__ import annotations

from ..core.policy import ALLOW, deny, has_role, hidden, kind, staff
from .models import MentorMatch, MentorRequest

MEMBERS_ONLY = "The mentor network is for applicants and grantees."

network = kind("mentoring")
network.action("manage")(staff)


@network.action("take_part")
def member(user, obj=None):
    return ALLOW if has_role(user, "applicant") else deny(MEMBERS_ONLY)


@network.action("browse")
def member_or_staff(user, obj=None):
    """The directory of consenting mentors: members, and staff who check what they see."""
    return ALLOW if has_role(user, "applicant", "admin") else deny(MEMBERS_ONLY)


match = kind("mentor_match", model=MentorMatch)
match.action("manage")(staff)


@match.action("view")
def party_or_staff(user, obj):
    if not has_role(user, "applicant", "admin"):
        return deny(MEMBERS_ONLY)
    if obj is None or has_role(user, "admin") or obj.party(user) is not None:
        return ALLOW
    return hidden()


@match.action("answer")
def party(user, obj):
    """Accept, turn down, end, log a conversation: the mentor and the mentee themselves."""
    if not has_role(user, "applicant"):
        return deny("Only the mentor and the mentee answer a match and log their conversations.")
    if obj is None or obj.party(user) is not None:
        return ALLOW
    return hidden()


request = kind("mentor_request", model=MentorRequest)
request.action("manage")(staff)


@request.action("cancel")
def asker(user, obj):
    if not has_role(user, "applicant"):
        return deny(MEMBERS_ONLY)
    if obj is None or obj.user_id == user.id:
        return ALLOW
    return hidden()
