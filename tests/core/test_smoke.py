from grantflow.core import workflow
from grantflow.core.models import AuditEvent
from grantflow.extensions import db


def test_home_page_for_anonymous_visitor(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Local-to-Global Engagement Fund" in response.data


def test_applicant_submits_and_the_move_is_audited(f):
    round_ = f.create_round()
    applicant = f.create_applicant()
    application = f.create_application(round_, applicant.organisation)
    workflow.fire(application, "submit", applicant)
    assert application.state == "submitted"
    assert application.submitted_at is not None
    event = db.session.query(AuditEvent).filter_by(application_id=application.id).one()
    assert (event.from_state, event.to_state, event.actor_id) == ("draft", "submitted", applicant.id)


def test_another_organisation_cannot_submit(f):
    application = f.create_application()
    outsider = f.create_applicant()
    decision = workflow.may(application, "submit", outsider)
    assert not decision and "applicant" in decision.reason
    assert application.state == "draft"
