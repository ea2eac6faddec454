"""Start-up of the review domain: load and check every rubric (an invalid one
stops start-up with its problem, like the workflows and forms) and watch for
changes that make a stored calibration out of date."""
from __future__ import annotations

from . import calibration_store, rubrics


def init_app(app) -> None:
    rubrics.init_app(app)
    calibration_store.listen()
