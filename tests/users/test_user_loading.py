"""Loading the signed-in user with its roles is one SQL statement."""
from __future__ import annotations

from grantflow.extensions import db
from grantflow.users.models import load_user

from tests import factories
from tests.querycount import count_queries


def test_the_user_and_its_roles_load_in_one_statement():
    user = factories.create_user("admin", "reviewer")
    db.session.commit()
    user_id = user.id
    db.session.expunge_all()
    with count_queries() as statements:
        loaded = load_user(str(user_id))
        assert loaded.roles == {"admin", "reviewer"}
    assert len(statements) == 1
