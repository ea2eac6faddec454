"""Loading the signed-in user with its roles is one SQL statement."""
from __future__ import annotations

from grantflow.extensions import db
from grantflow.users.sessions import load_user, start_session

from tests import factories
from tests.querycount import count_queries


def test_the_user_and_its_roles_load_in_one_statement():
    user = factories.create_user("admin", "reviewer")
    start_session(user)
    db.session.commit()
    session_id = user.get_id()
    db.session.expunge_all()
    with count_queries() as statements:
        loaded = load_user(session_id)
        assert loaded.roles == {"admin", "reviewer"}
    assert len(statements) == 1
