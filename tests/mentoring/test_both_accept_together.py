"""Both parties accept a match at the same moment, each in their own thread and
database session, on PostgreSQL: every match is still introduced, once (without
the row lock each acceptance saw the other missing, and the match waited for ever)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from grantflow.core import outbox
from grantflow.core.models import OutboxEmail
from grantflow.extensions import db
from grantflow.mentoring import operations
from grantflow.mentoring.models import MentorMatch
from grantflow.users.models import User

from tests import factories
from tests import factories_mentoring as fm

pytestmark = pytest.mark.postgres

MATCHES = 30


def test_both_parties_accepting_together_always_introduces_them_once(postgres_app):
    with postgres_app.app_context():
        admin = factories.create_user("admin")
        mentor = fm.create_grantee()
        fm.opt_in(mentor, max_mentees=10)
        pairs = []
        for _ in range(MATCHES):
            match = fm.create_match(mentor, fm.create_drafter(), admin=admin)
            pairs.append((match.id, match.mentor_id, match.mentee_id))
        outbox.commit()
        db.session.remove()

    errors: list[str] = []
    together = threading.Barrier(2)

    def party(side: int) -> None:
        with postgres_app.app_context():
            try:
                for match_id, *people in pairs:
                    match = db.session.get(MentorMatch, match_id)
                    together.wait(timeout=30)
                    operations.respond(match, db.session.get(User, people[side]), accept=True)
                    outbox.commit()
                    db.session.expire_all()
            except Exception as exc:  # reported by the test, never swallowed
                errors.append(f"{type(exc).__name__}: {exc}")
                together.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=party, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    with postgres_app.app_context():
        ids = [match_id for match_id, *_ in pairs]
        statuses = db.session.scalars(select(MentorMatch.status).where(MentorMatch.id.in_(ids))).all()
        assert statuses == ["introduced"] * MATCHES
        assert db.session.scalar(select(func.count()).select_from(OutboxEmail)
                                 .where(OutboxEmail.template == "mentoring_introduced")) == 2 * MATCHES
        db.session.remove()
