"""Rows kept per process are exactly what rendering them afresh gives, and a changed row is rendered again."""
from __future__ import annotations

import re

import pytest

from grantflow.core import rendered_rows as rows_module
from grantflow.core.rendered_rows import rendered_rows
from grantflow.extensions import db
from grantflow.staff import queries


@pytest.fixture
def listed(f):
    round_ = f.create_round(name="Spring")
    for n in range(3):
        f.create_application(round_, title=f"Exchange <{n}> & co", state=("draft", "submitted")[n % 2])
    db.session.commit()
    return queries.page_of_applications(queries.ApplicationFilters()).items


def test_kept_rows_are_what_rendering_afresh_gives(app, listed, monkeypatch):
    calls = []
    with app.test_request_context("/admin/applications"):
        template = app.jinja_env.get_template("staff/_application_row.html")
        real = template.module.row
        monkeypatch.setattr(template.module, "row", lambda item: calls.append(item) or real(item))
        rows_module.forget()
        first = rendered_rows("staff/_application_row.html", listed)
        assert len(calls) == 3 and str(first) == "".join(str(real(item)) for item in listed)
        assert "Exchange &lt;0&gt; &amp; co" in first  # escaped as ever
        assert rendered_rows("staff/_application_row.html", listed) == first and len(calls) == 3  # kept

        changed = [listed[0], listed[1]._replace(state="withdrawn"), listed[2]]
        again = rendered_rows("staff/_application_row.html", changed)
        assert len(calls) == 4 and calls[-1] == changed[1]  # only the changed row rendered again
        assert str(again) == "".join(str(real(item)) for item in changed) and "Withdrawn" in again


def test_links_follow_the_script_root(app, listed):
    rows_module.forget()
    with app.test_request_context("/admin/applications"):
        plain = rendered_rows("staff/_application_row.html", listed)
    with app.test_request_context("/fund/admin/applications", base_url="http://localhost/fund"):
        mounted = rendered_rows("staff/_application_row.html", listed)
    assert f'href="/admin/applications/{listed[0].id}"' in plain
    assert f'href="/fund/admin/applications/{listed[0].id}"' in mounted


def test_the_list_page_shows_the_same_rows_when_they_are_kept(client, listed, login_as, f):
    login_as(f.create_user("admin"))
    rows_module.forget()
    bodies = [re.search(r"<tbody>.*</tbody>", client.get("/admin/applications").get_data(as_text=True), re.S).group(0)
              for _ in range(2)]
    assert bodies[0] == bodies[1] and bodies[0].count('name="ids"') == 3
