"""The navigation bar follows the signed-in user's roles (it is built once per
set of roles and kept)."""
from __future__ import annotations

import re

from grantflow.extensions import db
from grantflow.users.models import User

from tests import factories


def _nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav)


def test_each_role_sees_its_entries_and_a_new_role_shows_at_once(client, login_as):
    admin = factories.create_user("admin")
    reviewer = factories.create_user("reviewer")
    login_as(reviewer)
    reviewer_nav = _nav_labels(client.get("/reviews/").get_data(as_text=True))
    assert "Portfolio" not in reviewer_nav and reviewer_nav
    login_as(admin)
    admin_nav = _nav_labels(client.get("/admin/portfolio/").get_data(as_text=True))
    assert "Portfolio" in admin_nav and admin_nav != reviewer_nav

    reviewer = db.session.get(User, reviewer.id)
    reviewer.grant_role("admin")
    db.session.commit()
    login_as(reviewer)
    both = _nav_labels(client.get("/admin/portfolio/").get_data(as_text=True))
    assert set(both) == set(admin_nav) | set(reviewer_nav) and both != admin_nav
