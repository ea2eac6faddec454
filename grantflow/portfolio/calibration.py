"""Calibrated review scores for the exports, one round at a time.

The reviews domain computes calibrated scores on demand (a least-squares fit of
application merits and reviewer offsets over a round: ``reviews.aggregation``);
they are never stored. An export streams its rows ordered by round, so each
round is fitted once, when the stream reaches it, and only one round's figures
are held in memory at a time."""
from __future__ import annotations

import sqlalchemy as sa
from threadpoolctl import ThreadpoolController

from ..extensions import db
from ..funds.models import Round
from ..reviews.aggregation import Score, calibrate
from ..reviews.models import Review, ReviewAssignment
from ..reviews.ranking import round_settings


class RoundCalibrations:
    def __init__(self):
        self.round_id: int | None = None
        self.merits: dict[int, float] = {}

    def score(self, round_id: int, application_id: int) -> float | None:
        if round_id != self.round_id:
            self._fit(round_id)
        return self.merits.get(application_id)

    def _fit(self, round_id: int) -> None:
        round_ = db.session.get(Round, round_id)
        scores = round_scores(round_id)
        # the fit is a few hundred small vector operations: BLAS threads only add
        # contention (measured 0.1 s single-threaded against 0.5-0.9 s threaded on 2 busy cores)
        with _blas().limit(limits=1, user_api="blas"):
            calibration = calibrate(scores, shrinkage=round_settings(round_)["shrinkage"])
        self.round_id, self.merits = round_id, calibration.merits


def round_scores_select(round_id: int):
    """The reviews that count for the round's ranking (the same rule as
    ``reviews.ranking.submitted_scores``: active assignments, submitted reviews)."""
    return (sa.select(Review.application_id, Review.reviewer_id, Review.weighted_score.label("score"),
                      Review.recommendation)
            .join(ReviewAssignment, ReviewAssignment.id == Review.assignment_id)
            .where(ReviewAssignment.round_id == round_id, ReviewAssignment.status == "active",
                   Review.status == "submitted"))


def round_scores(round_id: int) -> list[Score]:
    """Read with Core (the ORM's row handling cost more than the fit itself)."""
    rows = db.session.connection().execute(round_scores_select(round_id))
    return [Score(app_id, reviewer_id, float(score), recommendation)
            for app_id, reviewer_id, score, recommendation in rows]


_controller: ThreadpoolController | None = None


def _blas() -> ThreadpoolController:
    """One controller for the process: creating one scans the loaded libraries."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller
