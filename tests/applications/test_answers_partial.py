"""``templates/applications/_answers.html``: every section read-only, for the
applicant's review, the staff page and the reviewer's page (blind or not)."""
from __future__ import annotations

from flask import render_template_string

from tests.factories_applications import create_attachment

INCLUDE = '{% include "applications/_answers.html" %}'


def test_the_partial_renders_every_section_from_the_application_alone(app, f):
    application = f.create_application()
    create_attachment(application, filename="Detailed budget.pdf")
    with app.test_request_context():
        html = render_template_string(INCLUDE, application=application)
    for title in ("The applicant's government", "The project", "What, how and why", "Success",
                  "Community partners", "Budget", "Certification"):
        assert f">{title}</h2>" in html.replace("&#39;", "'")   # the titles staff and reviewers read
    assert "Dana Whitfield" in html and "Des Moines Area Community College" in html
    assert "Detailed budget.pdf" in html and "/applications/attachments/" in html
    assert "$75,000.00" in html and "Climate action and the clean-energy transition" in html


def test_blind_hides_identity_answers_and_file_names(app, f):
    application = f.create_application()
    create_attachment(application, filename="Letter from Mayor Romero.pdf")
    with app.test_request_context():
        html = render_template_string(INCLUDE, application=application, blind=True, answers_heading_level=3)
    assert "Dana Whitfield" not in html and "dana.whitfield@example.gov" not in html
    assert "Mayor Alex Romero" not in html and application.organisation.name not in html
    assert "Letter from Mayor Romero.pdf" not in html and "Download the file" in html
    assert "Sister-city climate exchange" in html and ">The project</h3>" in html


def test_the_applicant_reads_their_own_titles(app, f):
    application = f.create_application()
    with app.test_request_context():
        html = render_template_string(INCLUDE, application=application, for_applicant=True)
    assert ">Your government</h2>" in html and ">Your project</h2>" in html


def test_the_partial_takes_any_definition_and_answers(app, f):
    from grantflow.core import formdefs

    definition = formdefs.load_form("applications", "local_to_global", 1)
    with app.test_request_context():
        html = render_template_string(INCLUDE, definition=definition, answers={"title": "Only a title"},
                                      attachments={})
    assert "Only a title" in html and "Not answered" in html


def test_the_files_partial_lists_every_upload_with_its_question(app, f):
    application = f.create_application()
    old = create_attachment(application, filename="Old budget.pdf")
    create_attachment(application, filename="New budget.pdf")  # replaces the old one in the answers
    create_attachment(application, field_key="partners.letter", filename="ISU letter.pdf", link=False)
    with app.test_request_context():
        html = render_template_string('{% include "applications/_attachments.html" %}', application=application)
        blind = render_template_string('{% include "applications/_attachments.html" %}', application=application,
                                       blind=True)
    assert "New budget.pdf" in html and "Old budget.pdf" in html and "Replaced or removed" in html
    assert "Community partners: Letter of support" in html and "Detailed budget (optional)" in html
    assert f"/applications/attachments/{old.id}" in html
    assert "budget.pdf" not in blind and "Download file 1" in blind
