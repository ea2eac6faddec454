"""Calibrated review scores for the exports.

The reviews domain stores each round's calibration (``reviews.calibration_store``)
and the export's SELECT joins the stored score in. A round whose stored fit is out
of date (its refit job has not run yet) is fitted here instead, when the stream
reaches it: rows come ordered by round, so each such round is fitted once and only
one round's figures are held in memory at a time."""
from __future__ import annotations

from ..extensions import db
from ..funds.models import Round
from ..reviews.calibration_store import fit_round, stale_rounds


class RoundCalibrations:
    def __init__(self, stale: set[int] | None = None):
        #: rounds whose stored scores cannot be trusted (None: check now)
        self.stale = stale_rounds() if stale is None else stale
        self.round_id: int | None = None
        self.merits: dict[int, float] = {}

    def score(self, round_id: int, application_id: int, stored: float | None) -> float | None:
        if round_id not in self.stale:
            return stored
        if round_id != self.round_id:
            self.round_id, self.merits = round_id, fit_round(db.session.get(Round, round_id)).merits
        return self.merits.get(application_id)
