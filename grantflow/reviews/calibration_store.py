"""Stored calibrated scores: each round's fit, kept until its reviews change.

The calibration (``aggregation.calibrate``) is a least-squares fit over a whole
round; at 20,000 reviews it costs a tenth of a second or more, which a
100,000-application export used to pay once per round, every time. Now:

- the operation that changes a round's scores (``scoring.save_review``:
  submitting a review, or editing a submitted one) calls ``refit_after_commit``,
  which queues ``tasks.refresh_calibrations`` once the transaction commits;
- that job refits each round whose stored fit is out of date and writes one
  ``RoundCalibration`` row and a ``CalibratedScore`` per application;
- a reader checks the round's fingerprint first (``stale_rounds``, one
  grouped query) and fits afresh whatever is out of date, so a job that has
  not run yet costs time, never a wrong score.

The fingerprint is what the fit depends on: the count, the id sum and the
latest update of the round's submitted reviews on active assignments, and the
shrinkage setting. Any submission, reopening, edit, recusal or removal moves
at least one of them, so a change that queued no refit (a reviewer removed
before submitting moves nothing; a shrinkage setting edited by hand) is never
trusted either."""
from __future__ import annotations

import sqlalchemy as sa
from threadpoolctl import ThreadpoolController

from ..core import outbox
from ..core.db import utcnow
from ..extensions import db
from ..funds.models import Round
from .aggregation import Calibration, Score, calibrate
from .models import CalibratedScore, Review, ReviewAssignment, RoundCalibration

REFRESH_TASK = "grantflow.reviews.tasks.refresh_calibrations"


def round_scores_select(round_id: int):
    """The reviews that count for a round's calibration and ranking: submitted
    reviews on active assignments."""
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


def shrinkage_setting(round_: Round) -> float | None:
    value = (round_.settings or {}).get("review_shrinkage")
    return float(value) if value is not None else None


def fit_round(round_: Round) -> Calibration:
    """Fit the round now (not stored)."""
    scores = round_scores(round_.id)
    # the fit is a few hundred small vector operations: BLAS threads only add
    # contention (measured 0.1 s single-threaded against 0.5-0.9 s threaded on 2 busy cores)
    with _blas().limit(limits=1, user_api="blas"):
        return calibrate(scores, shrinkage=shrinkage_setting(round_))


def fingerprints(round_ids: list[int] | None = None) -> dict[int, str]:
    """round id -> the fingerprint of what its calibration depends on (one query
    for the reviews, one for the rounds' settings)."""
    reviews = (sa.select(ReviewAssignment.round_id, sa.func.count(Review.id), sa.func.sum(Review.id),
                         sa.func.max(sa.type_coerce(Review.updated_at, sa.String)))
               .join(ReviewAssignment, ReviewAssignment.id == Review.assignment_id)
               .where(ReviewAssignment.status == "active", Review.status == "submitted")
               .group_by(ReviewAssignment.round_id))
    rounds = sa.select(Round.id, Round.settings)
    if round_ids is not None:
        reviews = reviews.where(ReviewAssignment.round_id.in_(round_ids))
        rounds = rounds.where(Round.id.in_(round_ids))
    facts = {round_id: (count, total, latest) for round_id, count, total, latest in db.session.execute(reviews)}
    result = {}
    for round_id, settings in db.session.execute(rounds):
        count, total, latest = facts.get(round_id, (0, 0, None))
        shrinkage = (settings or {}).get("review_shrinkage")
        result[round_id] = f"{count}:{total or 0}:{latest or '-'}:{shrinkage!r}"
    return result


def stale_rounds(round_ids: list[int] | None = None) -> set[int]:
    """Rounds whose stored calibration is missing or out of date."""
    current = fingerprints(round_ids)
    stored = sa.select(RoundCalibration.round_id, RoundCalibration.fingerprint)
    if round_ids is not None:
        stored = stored.where(RoundCalibration.round_id.in_(round_ids))
    kept = dict(db.session.execute(stored).all())
    return {round_id for round_id, fingerprint in current.items() if kept.get(round_id) != fingerprint}


def store_round(round_: Round, *, only_if_stale: bool = False) -> Calibration | None:
    """Fit the round and replace its stored calibration (flushed, not committed).
    With ``only_if_stale``, None when the stored fit is already up to date."""
    if db.session.get_bind().dialect.name == "postgresql":
        # two workers refitting one round would both insert its rows: the second waits here
        db.session.execute(sa.select(Round.id).where(Round.id == round_.id).with_for_update())
    fingerprint = fingerprints([round_.id])[round_.id]
    if only_if_stale:
        stored = db.session.get(RoundCalibration, round_.id, populate_existing=True)
        if stored is not None and stored.fingerprint == fingerprint:  # another worker refitted it while this one waited
            return None
    calibration = fit_round(round_)
    db.session.execute(sa.delete(CalibratedScore).where(CalibratedScore.round_id == round_.id))
    if calibration.merits:
        db.session.execute(sa.insert(CalibratedScore), [
            {"application_id": app_id, "round_id": round_.id, "merit": merit,
             "standard_error": calibration.standard_errors.get(app_id)}
            for app_id, merit in calibration.merits.items()])
    row = db.session.get(RoundCalibration, round_.id) or RoundCalibration(round_id=round_.id)
    row.fingerprint, row.shrinkage, row.sigma = fingerprint, calibration.shrinkage, calibration.sigma
    row.computed_at = utcnow()
    db.session.add(row)
    db.session.flush()
    return calibration


def refresh_stale(round_ids: list[int] | None = None) -> list[int]:
    """Refit every round whose stored calibration is out of date; the ids refitted."""
    refitted = []
    for round_id in sorted(stale_rounds(round_ids)):
        if store_round(db.session.get(Round, round_id), only_if_stale=True) is not None:
            refitted.append(round_id)
    return refitted


# -- refitting after a change ----------------------------------------------------------------------

def refit_after_commit(round_id: int) -> None:
    """Queue one refit of the round once the transaction commits (a rolled-back
    one queues nothing). Without Redis it runs in this process after the
    response is sent: a reviewer never waits for the round's fit."""
    outbox.on_commit_once(_queue_refit, round_id)


def _queue_refit(round_id: int) -> None:
    from ..core import jobs

    jobs.enqueue(REFRESH_TASK, round_ids=[round_id], after_response=True)
    outbox.commit()


_controller: ThreadpoolController | None = None


def _blas() -> ThreadpoolController:
    """One controller for the process: creating one scans the loaded libraries."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller
