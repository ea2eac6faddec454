"""Permission checks that explain themselves (Hypha's pattern): every check
returns a ``Decision`` whose ``reason`` the UI can show next to a refusal.
Who may reach which object is decided in one place, ``core.policy``."""
from __future__ import annotations

from dataclasses import dataclass


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
