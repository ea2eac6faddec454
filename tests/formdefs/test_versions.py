"""Form classes are built once per (form, version, page) and never shared;
an application answered against v1 keeps rendering with v1 after a v2 is
published, and new applications start on v2."""
from __future__ import annotations

import re

import pytest
import yaml
from flask_wtf import FlaskForm

from grantflow.applications.models import Application
from grantflow.config import PROJECT_ROOT
from grantflow.core import formdefs
from grantflow.core.formdefs.builder import build_all
from grantflow.core.formdefs.parse import _Loader, load_file, parse
from grantflow.core.formdefs.registry import registry
from grantflow.extensions import db


def _v2_definition():
    text = (PROJECT_ROOT / "forms/applications/local_to_global.v1.yaml").read_text()
    text = text.replace("version: 1\n", "version: 3\n", 1)  # newer than the shipped v2
    text = text.replace("label: Project title", "label: Name of the project")
    # v2 drops the summary question
    text = re.sub(r"      - id: project_summary\n(        .*\n)+", "", text)
    return parse(yaml.load(text, Loader=_Loader), source="local_to_global.v3.yaml", kind="applications")  # noqa: S506


@pytest.fixture
def with_v2(app, monkeypatch):
    v2 = _v2_definition()
    reg = registry()
    monkeypatch.setitem(reg.definitions, v2.ident, v2)
    monkeypatch.setitem(reg.classes, v2.ident, build_all(v2))
    return v2


def test_every_page_has_its_own_flask_form_subclass_built_at_start_up(app):
    definition = formdefs.load_form("applications", "local_to_global", 1)
    classes = registry().classes[definition.ident]
    assert set(classes) == {p.id for p in definition.pages} | {"__eligibility__"}
    assert len({id(cls) for cls in classes.values()}) == len(classes)
    for cls in classes.values():
        assert issubclass(cls, FlaskForm) and cls is not FlaskForm
    assert formdefs.form_class(definition, "project") is classes["project"]  # cached, not rebuilt


def test_a_new_version_does_not_touch_the_classes_of_the_old_one(app, with_v2):
    v1 = formdefs.load_form("applications", "local_to_global", 1)
    v1_project = registry().classes[v1.ident]["project"]
    v2_project = registry().classes[with_v2.ident]["project"]
    assert v1_project is not v2_project
    with app.test_request_context():
        assert "project_summary" in v1_project() and "project_summary" not in v2_project()
        assert v1_project().title.label.text == "Project title"
        assert v2_project().title.label.text == "Name of the project"


def test_csrf_is_on_for_page_forms_outside_tests(make_app):
    other = make_app(WTF_CSRF_ENABLED=True)
    with other.test_request_context():
        definition = formdefs.load_form("applications", "local_to_global")
        form = formdefs.make_page_form(definition, definition.pages[0], {})
        assert "csrf_token" in form


def test_an_old_application_renders_with_its_own_version_after_v2(app, client, f, login_as, with_v2):
    round_ = f.create_round()
    applicant = f.create_applicant()
    old = f.create_application(round_, applicant.organisation, form_version=1)
    login_as(applicant)
    assert formdefs.load_form("applications", "local_to_global").version == 3
    html = client.get(f"/applications/{old.id}").get_data(as_text=True)
    assert "Project title" in html and "Summary" in html and "Name of the project" not in html
    page = client.get(f"/applications/{old.id}/pages/project").get_data(as_text=True)
    assert 'name="project_summary"' in page


def test_a_new_application_starts_on_the_newest_version(app, client, f, login_as, with_v2):
    round_ = f.create_round(form_version=None)  # a round that names no version takes the newest
    applicant = f.create_applicant()
    login_as(applicant)
    response = client.post(f"/applications/start/{round_.id}", data={
        "amount_requested": "50000", "project_start": "2027-01-01", "project_end": "2027-12-31"})
    assert response.status_code == 302
    application = db.session.query(Application).one()
    assert (application.form_key, application.form_version) == ("local_to_global", 3)
    page = client.get(f"/applications/{application.id}/pages/project").get_data(as_text=True)
    assert "Name of the project" in page and 'name="project_summary"' not in page


def test_missing_required_reads_the_application_version(app, f, with_v2):
    old = f.create_application(form_version=1, answers={})
    assert "Summary" in formdefs.missing_required(old)
    new = f.create_application(form_version=3, answers={})
    assert "Summary" not in formdefs.missing_required(new)


def test_the_shipped_form_loads_from_its_file():
    definition = load_file(PROJECT_ROOT / "forms/applications/local_to_global.v1.yaml")
    assert [p.id for p in definition.pages] == ["applicant", "project", "plan", "success", "partners",
                                               "budget", "certification"]
    assert set(definition.column_fields()) == {"title", "amount_requested_cents", "themes"}
