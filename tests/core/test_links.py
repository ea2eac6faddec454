"""Row links built from one url_for are the URLs url_for gives, script root included."""
from __future__ import annotations

import pytest
from flask import url_for

from grantflow.core.links import id_links


@pytest.mark.parametrize("script_root", ["", "/grants", "/grants%20office"])
@pytest.mark.parametrize("endpoint, argument, values", [
    ("reviews.review", "assignment_id", {}),
    ("staff.application", "application_id", {}),
    ("reviews.review", "assignment_id", {"tab": "answers & files"}),  # query string after the id
])
def test_each_link_is_what_url_for_gives(app, script_root, endpoint, argument, values):
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": script_root}):
        link = id_links(endpoint, argument, **values)
        for id_ in (0, 1, 7, 42, 100_000, 2**40):
            assert link(id_) == url_for(endpoint, **{argument: id_}, **values)


def test_a_url_where_the_marker_is_not_only_the_id_is_refused(app):
    # the prefix and the rest are found by the marker number, so it must be the id's place alone
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/9876543210123456789"}):
        with pytest.raises(ValueError, match="does not appear once"):
            id_links("reviews.review", "assignment_id")
