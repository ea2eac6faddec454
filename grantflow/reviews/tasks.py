"""Background jobs of the review domain (they take ids, never ORM objects)."""
from __future__ import annotations

from ..extensions import db
from ..funds.models import Round
from ..users.models import User


def assign_round(job, round_id: int, fair: bool = False, allow_partial: bool = False) -> dict:
    """The admin button's assignment run; the result (summary and any
    explanation of places left empty) is kept on the job row for the page.
    A run that would leave places empty saves nothing unless ``allow_partial``."""
    from .assigning import assign_reviewers

    round_ = db.session.get(Round, round_id)
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    report = assign_reviewers(round_, actor, fair=fair, allow_partial=allow_partial)
    return report.as_dict()


def refresh_calibrations(job, round_ids: list[int] | None = None) -> dict:
    """Refit the stored calibration of each given round (every round: None) that is out of date."""
    from .calibration_store import refresh_stale

    return {"refitted": refresh_stale(round_ids)}
