"""A second applicant cannot see, change or download anything of the first
applicant's organisation, on every applicant URL (404: it does not exist for
them), and the first application is unchanged afterwards."""
from __future__ import annotations

import io

import pytest

from grantflow.applications.models import Application, Attachment
from grantflow.extensions import db

from tests.factories_applications import PDF_BYTES, create_attachment

ENDPOINT_ARGS = ("application_id", "attachment_id")


def _applicant_rules(app):
    """Every applications.* URL that names an application or a file, with its methods."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("applications.") and set(rule.arguments) & set(ENDPOINT_ARGS):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method))
    return found


def pytest_generate_tests(metafunc):
    if "endpoint_method" in metafunc.fixturenames:
        from grantflow import create_app

        # the URL map only: no database is touched
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        rules = _applicant_rules(app)
        metafunc.parametrize("endpoint_method", rules, ids=[f"{m} {e}" for e, m in rules])


POSTS = {
    "applications.edit_page": {"_action": "save", "what": "Overwritten by a stranger"},
    "applications.autosave": {"what": "Overwritten by a stranger"},
    "applications.withdraw": {"reason": "stranger"},
    "applications.submit": {},
}


def test_every_applicant_url_is_closed_to_another_organisation(app, client, f, login_as, endpoint_method):
    endpoint, method = endpoint_method
    owner = f.create_applicant()
    application = f.create_application(organisation=owner.organisation, created_by=owner)
    attachment = create_attachment(application, uploaded_by=owner)
    stranger = f.create_applicant()
    login_as(stranger)
    before = (dict(application.answers), application.state, application.version)
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, application_id=application.id, attachment_id=attachment.id, page_id="plan")
    data = POSTS.get(endpoint, {"what": "x"}) if method == "POST" else None
    response = client.open(url, method=method, data=data)
    assert response.status_code in (403, 404), f"{method} {url}: {response.status_code}"
    assert b"Overwritten" not in response.data and application.title.encode() not in response.data
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert (application.answers, application.state, application.version) == before
    assert db.session.query(Attachment).count() == 1


def test_a_stranger_cannot_attach_a_file_to_someone_elses_application(client, f, login_as):
    owner = f.create_applicant()
    application = f.create_application(organisation=owner.organisation)
    login_as(f.create_applicant())
    response = client.post(f"/applications/{application.id}/pages/budget",
                           data={"_action": "save", "budget_document": (io.BytesIO(PDF_BYTES), "x.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 404
    assert db.session.query(Attachment).count() == 0


def test_the_list_of_checked_urls_covers_the_applicant_pages(app):
    endpoints = {endpoint for endpoint, _ in _applicant_rules(app)}
    assert {"applications.detail", "applications.edit_page", "applications.autosave", "applications.review",
            "applications.submit", "applications.submitted", "applications.withdraw",
            "applications.download_attachment"} <= endpoints


@pytest.mark.parametrize("page", ["/applications/", "/organisation/"])
def test_lists_show_only_the_own_organisation(client, f, login_as, page):
    owner = f.create_applicant()
    f.create_application(organisation=owner.organisation, title="Owner's secret project")
    login_as(f.create_applicant())
    html = client.get(page).get_data(as_text=True)
    assert "Owner&#39;s secret project" not in html and "Owner's secret project" not in html
    assert owner.organisation.name not in html and owner.email not in html
