"""The last two reviews of an application arrive at the same moment, each in its
own thread and database session, on PostgreSQL: the reviews still close, for
every one of 200 applications (without the row lock, each submission counted
the other as missing and a few applications stayed in review for ever)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from grantflow.applications.models import Application
from grantflow.core import outbox
from grantflow.core.models import AuditEvent
from grantflow.core.workflow.engine import definition_for
from grantflow.extensions import db
from grantflow.reviews.models import ReviewAssignment
from grantflow.reviews.rubrics import get_rubric
from grantflow.reviews.scoring import ReviewInput, save_review
from grantflow.users.models import User

from tests import factories, factories_reviews as fr

pytestmark = pytest.mark.postgres

APPLICATIONS = 200


def _in_review_with_one_review_left_each(count: int) -> tuple[list[int], list[int], str]:
    """``count`` applications with three reviewers each, the first review in;
    returns the application ids, the two remaining reviewers' ids and the
    state they started in."""
    round_ = factories.create_round()
    reviewers = [fr.create_reviewer(cap=count) for _ in range(3)]
    application_ids = []
    for _ in range(count):
        application = fr.create_in_review(round_)
        assignments = [fr.create_assignment(application, reviewer) for reviewer in reviewers]
        fr.create_review(assignments[0])
        application_ids.append(application.id)
    start_state = application.state
    outbox.commit()
    return application_ids, [reviewers[1].id, reviewers[2].id], start_state


def _submit_together(target_app, application_ids: list[int], reviewer_ids: list[int]) -> list[str]:
    """Each reviewer in their own thread and session submits their review of
    each application; a barrier lines the two submissions of one application up."""
    errors: list[str] = []
    together = threading.Barrier(len(reviewer_ids))

    def reviewer_thread(reviewer_id: int) -> None:
        with target_app.app_context():
            try:
                reviewer = db.session.get(User, reviewer_id)
                for application_id in application_ids:
                    assignment = db.session.scalar(select(ReviewAssignment).where(
                        ReviewAssignment.application_id == application_id,
                        ReviewAssignment.reviewer_id == reviewer_id))
                    rubric = get_rubric(assignment.round.rubric_key)
                    data = ReviewInput(scores={c.id: 4 for c in rubric.criteria}, comments={},
                                       recommendation=rubric.recommendations[0][0], overall_comment="Sound.")
                    together.wait(timeout=30)
                    save_review(assignment, reviewer, data, submit=True)
                    outbox.commit()
                    db.session.expire_all()
            except Exception as exc:  # reported by the test, never swallowed
                errors.append(f"{type(exc).__name__}: {exc}")
                together.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=reviewer_thread, args=(rid,)) for rid in reviewer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def test_the_last_two_reviews_submitted_together_always_close_the_reviews(postgres_app):
    with postgres_app.app_context():
        application_ids, reviewer_ids, start_state = _in_review_with_one_review_left_each(APPLICATIONS)
        db.session.remove()

    errors = _submit_together(postgres_app, application_ids, reviewer_ids)

    assert errors == []
    with postgres_app.app_context():
        applications = db.session.scalars(select(Application).where(Application.id.in_(application_ids))).all()
        still_open = [a.reference for a in applications if a.state == start_state]
        assert still_open == []
        # each closed once, by the system, to the state the workflow names
        closing = db.session.execute(select(AuditEvent.application_id, func.count()).where(
            AuditEvent.application_id.in_(application_ids), AuditEvent.from_state == start_state)
            .group_by(AuditEvent.application_id)).all()
        assert sorted(closing) == sorted((a, 1) for a in application_ids)
        closed_by_system = definition_for(applications[0]).transitions_from(start_state)
        assert {a.state for a in applications} == {
            t.dest for t in closed_by_system if "system" in t.roles}
        db.session.remove()
