"""Start-up of the review domain: load and check every rubric (an invalid one
stops start-up with its problem, like the workflows and forms)."""
from __future__ import annotations

from . import rubrics


def init_app(app) -> None:
    rubrics.init_app(app)
