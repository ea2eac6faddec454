"""Two people act on the same application at the same moment, each in their
own database session and thread, on PostgreSQL: exactly one wins, the other
gets ConcurrentChange, and exactly one move is audited."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from grantflow.applications.models import Application
from grantflow.core import outbox
from grantflow.core.models import AuditEvent
from grantflow.core.workflow import ConcurrentChange, fire
from grantflow.extensions import db
from grantflow.users.models import User

from .scenarios import make_cast

pytestmark = pytest.mark.postgres


def _race(target_app, application_id: int, moves: list[tuple[int, str]]) -> list[str]:
    """Each (user id, trigger) fires in its own thread and session, all having
    loaded the application before any of them writes."""
    outcomes: list[str] = [""] * len(moves)
    loaded = threading.Barrier(len(moves))

    def act(index: int, user_id: int, trigger: str) -> None:
        with target_app.app_context():
            try:
                user = db.session.get(User, user_id)
                application = db.session.get(Application, application_id)
                seen = application.version
                loaded.wait(timeout=20)
                fire(application, trigger, user, comment=f"by {user_id}", expected_version=seen)
                outbox.commit()
                outcomes[index] = "moved"
            except ConcurrentChange:
                db.session.rollback()
                outcomes[index] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=act, args=(i, user_id, trigger)) for i, (user_id, trigger) in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("second", ["admin", "member"])
def test_one_of_two_simultaneous_moves_wins(postgres_app, second):
    with postgres_app.app_context():
        cast = make_cast(state="submitted")
        application_id = cast.application.id
        first_id, second_id = cast.admin.id, getattr(cast, second).id
        outbox.commit()
        db.session.remove()

    second_trigger = "start_screening" if second == "admin" else "withdraw"
    outcomes = _race(postgres_app, application_id, [(first_id, "start_screening"), (second_id, second_trigger)])

    assert sorted(outcomes) == ["conflict", "moved"]
    with postgres_app.app_context():
        application = db.session.get(Application, application_id)
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == application_id)).all()
        assert len(events) == 1
        assert application.version == 2
        winner = [first_id, second_id][outcomes.index("moved")]
        assert events[0].actor_id == winner and events[0].to_state == application.state
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
        db.session.remove()
