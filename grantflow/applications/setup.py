"""Start-up for the applications domain: load and check every form definition
(an invalid one stops start-up with its problems, like the workflows)."""
from __future__ import annotations

from ..core import formdefs


def init_app(app) -> None:
    formdefs.init_app(app)
