"""Both shipped workflows end to end through the web endpoints (test client),
and the move endpoint's refusals: confirmation, required comment, stale
version (409), wrong role (403), other organisations (404)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from grantflow.core.models import AuditEvent
from grantflow.extensions import db

from .scenarios import make_cast, satisfy_guards

MEMBER, ADMIN = "member", "admin"

DEFAULT_PATH = [
    (MEMBER, "submit", None), (ADMIN, "start_screening", None),
    (ADMIN, "request_information", "Please add a letter of support from the university."),
    (MEMBER, "provide_information", None), (ADMIN, "send_to_review", None), (ADMIN, "complete_reviews", None),
    (ADMIN, "award", None), (ADMIN, "offer_award", None), (MEMBER, "accept_award", None),
    (MEMBER, "submit_final_report", None), (ADMIN, "start_closeout", None), (ADMIN, "close", None),
]
SMALL_GRANT_PATH = [
    (MEMBER, "submit", None), (ADMIN, "start_screening", None), (ADMIN, "award", None),
    (ADMIN, "offer_award", None), (MEMBER, "accept_award", None), (MEMBER, "submit_final_report", None),
    (ADMIN, "start_closeout", None), (ADMIN, "close", None),
]


def move_url(application, trigger: str) -> str:
    return f"/applications/{application.id}/transitions/{trigger}"


def post_move(client, application, trigger, *, comment=None, confirmed=False, version=None, next_url=None):
    data = {"version": str(application.version if version is None else version)}
    if comment is not None:
        data["comment"] = comment
    if confirmed:
        data["confirmed"] = "yes"
    if next_url is not None:
        data["next"] = next_url
    return client.post(move_url(application, trigger), data=data)


@pytest.mark.parametrize("workflow_key,path", [("local_to_global", DEFAULT_PATH),
                                               ("small_grant", SMALL_GRANT_PATH)])
def test_a_workflow_end_to_end_through_the_ui(client, login_as, workflow_key, path):
    cast = make_cast(workflow_key)
    application = cast.application
    signed_in = None
    for who, trigger, comment in path:
        satisfy_guards(cast, trigger)
        actor = cast.actor(who)
        if signed_in is not actor:
            login_as(actor)
            signed_in = actor
        db.session.commit()
        page = client.get(move_url(application, trigger))
        assert page.status_code == 200, (trigger, page.get_data(as_text=True))
        transition = application.workflow.transition(application.state, trigger)
        response = post_move(client, application, trigger, comment=comment, next_url="/somewhere/")
        if transition.confirm:  # first the confirmation page, nothing moved yet
            assert response.status_code == 200
            assert transition.confirm in response.get_data(as_text=True)
            assert application.state == transition.sources[0] or application.state in transition.sources
            response = post_move(client, application, trigger, comment=comment, confirmed=True,
                                 next_url="/somewhere/")
        assert response.status_code == 302, (trigger, response.get_data(as_text=True))
        assert response.headers["Location"] == "/somewhere/"
        db.session.refresh(application)
        assert application.state == transition.dest
    assert application.state == "closed"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == application.id,
                                                         AuditEvent.action.like("workflow.%"))
                                .order_by(AuditEvent.id)).all()
    assert [e.action.removeprefix("workflow.") for e in events] == [trigger for _, trigger, _ in path]
    assert all(e.ip_address for e in events)  # recorded from the request

    login_as(cast.admin)
    staff_page = client.get(f"/admin/applications/{application.id}").get_data(as_text=True)
    assert "Please add a letter of support" in staff_page or workflow_key == "small_grant"
    assert 'class="wf-node wf-terminal wf-current"' in staff_page  # where it stands, on the diagram


def test_the_staff_page_offers_the_actions_and_posts_the_version(client, login_as):
    cast = make_cast(state="screening")
    login_as(cast.admin)
    html = client.get(f"/admin/applications/{cast.application.id}").get_data(as_text=True)
    assert f'action="{move_url(cast.application, "send_to_review")}"' in html
    assert f'name="version" value="{cast.application.version}"' in html
    assert 'id="wf-1-request_information-comment"'.replace("1", str(cast.application.id)) in html
    assert "You will be asked to confirm." in html  # mark_ineligible is irreversible


def test_a_required_comment_is_asked_for_next_to_the_field(client, login_as):
    cast = make_cast(state="screening")
    login_as(cast.admin)
    response = post_move(client, cast.application, "request_information", comment="  ")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter a comment: this step needs one." in html and 'aria-invalid="true"' in html
    db.session.refresh(cast.application)
    assert cast.application.state == "screening"


def test_a_stale_version_gets_409_and_keeps_the_comment(client, login_as):
    cast = make_cast(state="screening")
    login_as(cast.admin)
    seen_version = cast.application.version
    assert post_move(client, cast.application, "send_to_review").status_code == 302  # someone else, first
    response = post_move(client, cast.application, "request_information", comment="Which partner city?",
                         version=seen_version)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "changed while you were looking at it" in html
    assert "Which partner city?" in html
    db.session.refresh(cast.application)
    assert cast.application.state == "in_review"
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.application_id == cast.application.id)).all()) == 1


def test_a_refused_move_says_why_and_keeps_the_comment(client, login_as):
    cast = make_cast(state="reviews_complete")
    login_as(cast.admin)
    response = post_move(client, cast.application, "award", comment="Strong panel scores.")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Record the award terms" in html and "Strong panel scores." in html
    db.session.refresh(cast.application)
    assert cast.application.state == "reviews_complete"


def test_an_applicant_cannot_make_staff_moves(client, login_as):
    cast = make_cast(state="submitted")
    login_as(cast.member)
    response = post_move(client, cast.application, "start_screening")
    assert response.status_code == 403
    assert "Only the admin" in response.get_data(as_text=True)


@pytest.mark.parametrize("method", ["get", "post"])
def test_other_organisations_applications_do_not_exist(client, login_as, method):
    cast = make_cast(state="draft")
    login_as(cast.other_applicant)
    url = move_url(cast.application, "withdraw")
    response = client.get(url) if method == "get" else client.post(url, data={"version": "1", "confirmed": "yes"})
    assert response.status_code == 404
    db.session.refresh(cast.application)
    assert cast.application.state == "draft"


def test_an_unknown_trigger_is_404(client, login_as):
    cast = make_cast(state="draft")
    login_as(cast.member)
    assert client.get(move_url(cast.application, "teleport")).status_code == 404


def test_a_missing_version_is_refused(client, login_as):
    cast = make_cast(state="submitted")
    login_as(cast.admin)
    response = client.post(move_url(cast.application, "start_screening"), data={})
    assert response.status_code == 400
    db.session.refresh(cast.application)
    assert cast.application.state == "submitted"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "/\t/evil.example/", "/%2F/evil.example/", "/%252F%252Fevil.example"])
def test_next_never_leaves_the_site(client, login_as, target):
    cast = make_cast(state="submitted")
    login_as(cast.admin)
    response = post_move(client, cast.application, "start_screening", next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/applications/{cast.application.id}"


def test_a_tab_in_next_on_the_confirmation_page_does_not_redirect_off_site(client, login_as):
    """Issue 16: ``?next=/%09/evil.example/`` then confirming answered ``Location: //evil.example/``."""
    cast = make_cast(state="submitted")
    login_as(cast.member)
    page = client.get(move_url(cast.application, "withdraw") + "?next=/%09/evil.example/")
    assert page.status_code == 200 and b"evil.example" not in page.data
    response = post_move(client, cast.application, "withdraw", confirmed=True, next_url="/\t/evil.example/")
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    cast = make_cast(state="submitted")
    db.session.commit()
    response = client.get(move_url(cast.application, "start_screening"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # a signed-out post is not applied: a sign-in page keeps what was typed (users.kept)
    response = client.post(move_url(cast.application, "start_screening"), data={"version": "1", "comment": "ok"})
    assert response.status_code == 401 and "Sign in to keep what you typed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert cast.application.state == "submitted"


def test_the_applicant_timeline_uses_applicant_labels_and_hides_staff_only_entries(client, login_as):
    from flask import render_template_string

    from grantflow.core.audit import record_event
    from grantflow.core.workflow import fire

    cast = make_cast(state="submitted")
    fire(cast.application, "start_screening", cast.admin, comment="Checking eligibility now.")
    record_event(actor=cast.admin, action="note.internal", application=cast.application,
                 comment="Internal: budget looks high.", visible_to_applicant=False)
    db.session.commit()
    template = '{% include "workflows/_timeline.html" %}'
    login_as(cast.member)
    with client:
        client.get("/")
        from flask_login import current_user  # the signed-in applicant
        applicant_html = render_template_string(template, application=cast.application, current_user=current_user)
    assert "Being checked for eligibility" in applicant_html and "Checking eligibility now." in applicant_html
    assert "Internal: budget looks high." not in applicant_html
    assert "Fund staff" in applicant_html and cast.admin.name not in applicant_html
    login_as(cast.admin)
    with client:
        client.get("/")
        from flask_login import current_user
        staff_html = render_template_string(template, application=cast.application, current_user=current_user)
    assert "Eligibility screening" in staff_html and "Internal: budget looks high." in staff_html
    assert "Staff only" in staff_html and cast.admin.name in staff_html


def test_a_failing_effect_keeps_the_move_and_is_written_to_the_history(app, client, login_as):
    from grantflow.core.workflow import registry

    cast = make_cast(state="screening")
    login_as(cast.admin)
    original = registry.EFFECTS["notify_applicant"]

    def broken(application_id, transition):
        raise RuntimeError("the mail server is on fire")

    registry.EFFECTS["notify_applicant"] = broken
    app.config["PROPAGATE_EFFECT_ERRORS"] = False
    try:
        response = post_move(client, cast.application, "request_information", comment="Budget detail, please.")
    finally:
        registry.EFFECTS["notify_applicant"] = original
        app.config.pop("PROPAGATE_EFFECT_ERRORS")
    assert response.status_code == 302
    db.session.refresh(cast.application)
    assert cast.application.state == "more_info_requested"
    failure = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "effect.failed")).one()
    assert "notify_applicant" in failure.comment and "on fire" in failure.comment
    assert not failure.is_visible_to_applicant


def test_the_actions_partial_for_an_applicant(client, login_as):
    from flask import render_template_string
    from flask_login import current_user

    cast = make_cast(state="screening")
    outsider = make_cast(state="more_info_requested")
    login_as(outsider.member)
    with client:
        client.get("/")
        html = render_template_string('{% include "workflows/_actions.html" %}', application=outsider.application,
                                      current_user=current_user)
        nothing = render_template_string('{% include "workflows/_actions.html" %}', application=cast.application,
                                         current_user=current_user)
    assert f'action="{move_url(outsider.application, "provide_information")}"' in html
    assert f'action="{move_url(outsider.application, "withdraw")}"' in html
    assert "You will be asked to confirm." in html  # withdrawing is final
    assert "Add a comment" not in html  # optional comments are for staff
    assert "There is nothing for you to do" in nothing  # someone else's application offers nothing
