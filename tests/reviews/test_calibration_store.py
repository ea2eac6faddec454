"""Stored calibrations: refitted by a job that the review operations queue
after their commit, and never trusted once they are out of date."""
from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa

from grantflow.core import outbox
from grantflow.core.db import utcnow
from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from grantflow.portfolio.exports import run_export
from grantflow.portfolio.filters import PortfolioFilters
from grantflow.reviews.calibration_store import REFRESH_TASK, fingerprints, fit_round, stale_rounds
from grantflow.reviews.models import CalibratedScore, Review, RoundCalibration
from grantflow.reviews.scoring import ReviewInput, save_review
from tests import factories_reviews as fr

ALL = ("clarity", "benefit", "partnerships", "feasibility", "success")


def scores(level):
    return {c: level for c in ALL}


def submit(assignment, level, *, submit=True):
    """The reviewer's own operation, as the review page calls it."""
    comments = {c: "Explained." for c in ALL}
    return save_review(assignment, assignment.reviewer, ReviewInput(
        scores=scores(level), comments=comments, recommendation="fund", overall_comment=""), submit=submit)


@pytest.fixture
def reviewed_round(f):
    """Three applications, a lenient and a fair reviewer; submitted and committed as a request would."""
    round_ = f.create_round(reviews_per_application=3)
    lenient, fair = fr.create_reviewer(name="Lenient Reviewer"), fr.create_reviewer(name="Fair Reviewer")
    a = fr.create_in_review(round_, title="Alpha")
    b = fr.create_in_review(round_, title="Bravo")
    c = fr.create_in_review(round_, title="Charlie")
    reviews = {
        "a_lenient": submit(fr.create_assignment(a, lenient), 5),
        "b_lenient": submit(fr.create_assignment(b, lenient), 4),
        "b_fair": submit(fr.create_assignment(b, fair), 3),
        "c_fair": submit(fr.create_assignment(c, fair), 3),
    }
    outbox.commit()
    return round_, (a, b, c), reviews


def stored_merits(round_id: int) -> dict[int, float]:
    return dict(db.session.execute(sa.select(CalibratedScore.application_id, CalibratedScore.merit)
                                   .where(CalibratedScore.round_id == round_id)).all())


def refresh_jobs() -> list[BackgroundJob]:
    return db.session.scalars(sa.select(BackgroundJob).where(BackgroundJob.task == REFRESH_TASK)
                              .order_by(BackgroundJob.id)).all()


def test_submitting_reviews_stores_the_rounds_calibration_after_the_commit(reviewed_round):
    round_, (a, b, c), _ = reviewed_round
    jobs = refresh_jobs()
    assert len(jobs) == 1 and jobs[0].status == "done" and jobs[0].result == {"refitted": [round_.id]}
    fitted = fit_round(round_)
    assert stored_merits(round_.id) == pytest.approx(fitted.merits)
    # the lenient reviewer's applications are pulled down, the fair one's pushed up
    assert stored_merits(round_.id)[a.id] < 100 and stored_merits(round_.id)[c.id] > 50
    stored = db.session.get(RoundCalibration, round_.id)
    assert stored.fingerprint == fingerprints([round_.id])[round_.id]
    assert stored.shrinkage == pytest.approx(fitted.shrinkage)
    assert stale_rounds() == set()


def _rescore(reviews, round_):
    submit(reviews["c_fair"].assignment, 1, submit=False)  # an edit of a submitted review stays submitted


def _add_submitted_review(reviews, round_):
    application = reviews["c_fair"].assignment.application
    submit(fr.create_assignment(application, fr.create_reviewer(name="Late Reviewer")), 1)


@pytest.mark.parametrize("change", [_rescore, _add_submitted_review])
def test_the_operations_that_change_scores_queue_a_refit_after_the_commit(reviewed_round, change):
    round_, _, reviews = reviewed_round
    before, jobs_before = stored_merits(round_.id), len(refresh_jobs())
    change(reviews, round_)
    assert stale_rounds() == {round_.id} and len(refresh_jobs()) == jobs_before  # nothing before the commit
    outbox.commit()
    assert stale_rounds() == set()
    assert len(refresh_jobs()) == jobs_before + 1 and refresh_jobs()[-1].result == {"refitted": [round_.id]}
    assert stored_merits(round_.id) == pytest.approx(fit_round(round_).merits)
    assert stored_merits(round_.id) != pytest.approx(before)


def _reopen(reviews, round_):
    review = reviews["b_fair"]
    review.status, review.submitted_at = "draft", None


def _remove_reviewer(reviews, round_):
    assignment = reviews["a_lenient"].assignment
    assignment.status, assignment.ended_at = "removed", utcnow()


def _change_shrinkage(reviews, round_):
    round_.settings = {**(round_.settings or {}), "review_shrinkage": 50}


@pytest.mark.parametrize("change", [_reopen, _remove_reviewer, _change_shrinkage])
def test_a_change_made_outside_the_operations_makes_the_stored_fit_stale(reviewed_round, change):
    """No listener guesses at effects: such a change queues nothing, and the stored fit is not trusted."""
    round_, _, reviews = reviewed_round
    jobs_before = len(refresh_jobs())
    change(reviews, round_)
    outbox.commit()
    assert stale_rounds() == {round_.id} and len(refresh_jobs()) == jobs_before


def test_saving_a_draft_review_queues_no_refit(reviewed_round):
    round_, (a, b, c), _ = reviewed_round
    jobs_before = len(refresh_jobs())
    submit(fr.create_assignment(c, fr.create_reviewer(name="Slow Reviewer")), 2, submit=False)
    outbox.commit()
    assert len(refresh_jobs()) == jobs_before


def test_a_rolled_back_change_queues_nothing(reviewed_round):
    round_, _, reviews = reviewed_round
    jobs_before = len(refresh_jobs())
    _rescore(reviews, round_)
    db.session.rollback()
    outbox.commit()
    assert len(refresh_jobs()) == jobs_before and stale_rounds() == set()


def test_without_redis_the_refit_runs_after_the_reviewers_response_is_sent(f, client, login_as):
    round_ = f.create_round(reviews_per_application=2)
    assignment = fr.create_assignment(fr.create_in_review(round_), fr.create_reviewer())
    login_as(assignment.reviewer)
    data = {f"score_{c}": "4" for c in ALL} | {"recommendation": "fund", "action": "submit"}
    response = client.post(f"/reviews/assignments/{assignment.id}", data=data)
    assert response.status_code == 302
    db.session.rollback()
    [job] = refresh_jobs()
    assert job.status == "queued" and stale_rounds() == {round_.id}  # the reviewer did not wait for it
    response.close()  # the server has sent the response
    db.session.rollback()
    assert refresh_jobs()[0].status == "done" and stale_rounds() == set()


def _csv_scores(path) -> dict[int, str]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {int(r["Application ID"]): r["Calibrated score (0-100)"] for r in csv.DictReader(handle)}


def test_the_export_reads_an_up_to_date_stored_score(reviewed_round, tmp_path):
    round_, (a, b, c), _ = reviewed_round
    # a stored score the fit would never give: the export can only have read it
    db.session.execute(sa.update(CalibratedScore).where(CalibratedScore.application_id == a.id).values(merit=12.345))
    db.session.commit()
    run_export("csv", tmp_path / "p.csv", PortfolioFilters())
    assert _csv_scores(tmp_path / "p.csv")[a.id] == "12.35"


def test_the_export_refits_a_round_whose_stored_fit_is_out_of_date(reviewed_round, tmp_path):
    round_, (a, b, c), reviews = reviewed_round
    stale = stored_merits(round_.id)
    # a change the refit job has not caught up with yet (written without the ORM: no job queued)
    db.session.execute(sa.update(Review).where(Review.id == reviews["c_fair"].id)
                       .values(weighted_score=10.0, updated_at=utcnow()))
    db.session.commit()
    assert stale_rounds() == {round_.id}
    run_export("csv", tmp_path / "p.csv", PortfolioFilters())
    exported = _csv_scores(tmp_path / "p.csv")
    fresh = fit_round(round_).merits
    assert exported[c.id] == f"{fresh[c.id]:.2f}" != f"{stale[c.id]:.2f}"
    assert {app_id: exported[app_id] for app_id in fresh} == {k: f"{v:.2f}" for k, v in fresh.items()}
