"""Who may do what to user accounts (``core.policy``): staff manage
everyone's (roles, invitations, sessions, deactivation); each signed-in person
manages their own (two-step sign-in, signing out)."""
from __future__ import annotations

from ..core.policy import ALLOW, deny, kind, signed_in, staff
from .models import User

user = kind("user", model=User)
user.action("manage")(staff)


@user.action("own")
def own_account(person, account) -> object:
    if not signed_in(person):
        return deny("Sign in to continue.")
    if account is None or account.id == person.id:
        return ALLOW
    return deny("This is someone else’s account.")
