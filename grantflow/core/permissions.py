"""Permission checks that explain themselves (Hypha's pattern): every check
returns a ``Decision`` whose ``reason`` the UI can show next to a refusal."""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    #: a refusal of something the user may not know exists (answered 404, not 403)
    hidden: bool = False

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason: str) -> Decision:
    return Decision(False, reason)


ROLES = ("applicant", "reviewer", "admin")


def roles_required(*roles: str):
    """Signed-in users holding at least one of ``roles``; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(current_user.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


admin_required = roles_required("admin")
