"""Pages name a workflow by its title, never by its file key (issue 17, item 11)."""
from __future__ import annotations

import pytest

from grantflow.core.workflow.engine import workflow_name


def test_a_workflow_is_named_by_its_title_and_version(app):
    with app.app_context():
        assert workflow_name("local_to_global", 1) == "Local-to-Global Engagement Fund (competitive, panel review), version 1"
        assert workflow_name("nowhere", 3) == "nowhere version 3 (no longer installed)"


@pytest.mark.parametrize("path", ["/admin/", "/admin/rounds", "/admin/rounds/{round_id}"])
def test_round_pages_show_the_title_not_the_key(client, login_as, f, path):
    round_ = f.create_round()
    login_as(f.create_user("admin"))
    response = client.get(path.format(round_id=round_.id))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, path
    assert "Local-to-Global Engagement Fund (competitive, panel review), version 1" in page
    assert "local_to_global v" not in page and "local_to_global version" not in page
