"""Staff pages: the application list (filters, search, pagination, a fixed
number of queries), bulk moves (per-application result, savepoints), the
read-only application page, and the workflow pages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from grantflow.core import outbox
from grantflow.core.models import AuditEvent, BackgroundJob, OutboxEmail
from grantflow.extensions import db

from tests import factories
from .scenarios import quick_user


@pytest.fixture
def admin(login_as):
    user = quick_user("admin")
    login_as(user)
    return user


def references(html: str) -> set[str]:
    return set(re.findall(r">(L2G-\d{5})</a>", html))


def make_applications(round_, count: int, state: str = "submitted", **org_fields):
    made = []
    for n in range(count):
        organisation = factories.create_organisation(name=org_fields.get("name", f"Town {n}"),
                                                     state=org_fields.get("us_state", "IA"),
                                                     applicant_type=org_fields.get("applicant_type", "C"))
        quick_user("applicant", organisation=organisation)
        made.append(factories.create_application(round_, organisation, state=state,
                                                 title=org_fields.get("title", f"Project {n}"),
                                                 themes=org_fields.get("themes")))
    return made


def test_filters_and_search(client, admin):
    round_a, round_b = factories.create_round(name="Spring"), factories.create_round(name="Autumn")
    [ames] = make_applications(round_a, 1, name="City of Ames", us_state="IA", themes=["trade_investment"],
                               title="Trade mission to Monterrey")
    [tulsa] = make_applications(round_a, 1, state="screening", name="Tulsa County", us_state="OK",
                                applicant_type="B", themes=["climate", "migration"])
    [guam] = make_applications(round_b, 1, name="Government of Guam", us_state="GU", applicant_type="F",
                               themes=["disaster_resilience"], title="Typhoon resilience exchange")
    db.session.commit()

    def listed(**args) -> set[str]:
        response = client.get("/admin/applications", query_string=args)
        assert response.status_code == 200
        return references(response.get_data(as_text=True))

    everyone = {a.reference for a in (ames, tulsa, guam)}
    assert listed() == everyone
    assert listed(round=round_b.id) == {guam.reference}
    assert listed(state="screening") == {tulsa.reference}
    assert listed(theme="migration") == {tulsa.reference}
    assert listed(theme="climat") == set()  # exact theme, not a substring
    assert listed(applicant_type="F") == {guam.reference}
    assert listed(us_state="ok") == {tulsa.reference}
    assert listed(q="ames") == {ames.reference}
    assert listed(q="TYPHOON") == {guam.reference}
    assert listed(q=guam.reference) == {guam.reference}
    assert listed(q="100%_") == set()
    assert listed(applicant_type="Z", us_state="XX", round="x", page="-3") == everyone  # bad values ignored


def test_pagination_keeps_the_filters(client, admin):
    round_ = factories.create_round()
    make_applications(round_, 30, state="submitted")
    make_applications(round_, 2, state="draft")
    db.session.commit()
    first = client.get("/admin/applications?state=submitted").get_data(as_text=True)
    assert "Showing 1–25 of 30 applications matching the filters." in first
    assert "/admin/applications?state=submitted&amp;page=2" in first
    second = client.get("/admin/applications?state=submitted&page=2").get_data(as_text=True)
    assert "Showing 26–30 of 30" in second and len(references(second)) == 5
    assert len(references(first) | references(second)) == 30


def test_the_list_costs_the_same_queries_for_3_or_25_rows(client, admin, count_queries):
    round_ = factories.create_round()
    make_applications(round_, 3)
    db.session.commit()
    client.get("/admin/applications")  # warm up: the user row and anything cached per process
    with count_queries() as few:
        assert client.get("/admin/applications").status_code == 200
    make_applications(round_, 22, state="screening")
    db.session.commit()
    db.session.expunge_all()
    with count_queries() as many:
        html = client.get("/admin/applications").get_data(as_text=True)
    assert len(references(html)) == 25
    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= 8


def test_bulk_move_reports_each_application_and_keeps_the_successes(client, admin):
    round_ = factories.create_round()
    ready = make_applications(round_, 3, state="submitted")
    [not_ready] = make_applications(round_, 1, state="draft", name="Late Town")
    db.session.commit()
    response = client.post("/admin/applications/bulk", data={
        "trigger": "start_screening", "scope": "selected",
        "ids": [str(a.id) for a in ready + [not_ready]]})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "3 of 4 applications moved; 1 could not be moved" in html
    assert "This cannot be done while the application is “Draft”." in html
    db.session.expire_all()
    assert [a.state for a in ready] == ["screening"] * 3 and not_ready.state == "draft"
    moves = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "workflow.start_screening")).all()
    assert sorted(e.application_id for e in moves) == sorted(a.id for a in ready)
    assert all(e.actor_id == admin.id for e in moves)


def test_bulk_move_on_everything_matching_the_filters(client, admin):
    round_ = factories.create_round()
    make_applications(round_, 3, state="screening")
    [other] = make_applications(round_, 1, state="submitted")
    db.session.commit()
    response = client.post("/admin/applications/bulk", data={
        "trigger": "send_to_review", "scope": "all", "state": "screening"})
    assert "3 of 3 applications moved" in response.get_data(as_text=True)
    db.session.expire_all()
    assert other.state == "submitted"


def test_a_large_bulk_move_runs_as_a_job_a_batch_at_a_time(client, admin, monkeypatch):
    from grantflow.staff import tasks, views_applications

    monkeypatch.setattr(views_applications, "BULK_IN_REQUEST_LIMIT", 2)
    monkeypatch.setattr(tasks, "BATCH", 2)
    round_ = factories.create_round()
    movable = make_applications(round_, 4, state="screening")
    [conflicting] = make_applications(round_, 1, state="screening", name="Busy Town")
    db.session.commit()
    # somebody else moves one after the administrator looked: the job re-checks each move
    original = tasks.bulk_fire

    def moved_meanwhile(batch, *args, **kwargs):
        for application in batch:
            if application.id == conflicting.id:
                application.state = "ineligible"
        return original(batch, *args, **kwargs)

    monkeypatch.setattr(tasks, "bulk_fire", moved_meanwhile)
    response = client.post("/admin/applications/bulk", data={
        "trigger": "send_to_review", "scope": "all", "state": "screening", "round": str(round_.id)})
    assert response.status_code == 302 and "/admin/applications/bulk/" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Refresh" not in page.headers  # done in-process (no REDIS_URL)
    assert "4 of 5 applications moved; 1 could not be moved" in html
    assert f"L2G-{conflicting.id:05d}" in html and "“Ineligible”" in html
    assert f"/admin/applications?state=screening&amp;round={round_.id}" in html  # back to the same filters
    db.session.expire_all()
    assert {a.state for a in movable} == {"in_review"}
    job = db.session.scalar(select(BackgroundJob).where(BackgroundJob.task == tasks.BULK_TASK))
    assert job.status == "done" and job.progress_done == job.progress_total == 5
    assert job.result["done"] == 4 and job.result["refused_total"] == 1
    requested = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.bulk_requested"))
    assert requested.actor_id == admin.id and requested.data["count"] == 5
    moves = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "workflow.send_to_review")).all()
    assert sorted(e.application_id for e in moves) == sorted(a.id for a in movable)


def test_the_bulk_job_page_shows_progress_and_is_only_for_bulk_jobs(client, admin):
    from grantflow.staff.tasks import BULK_TASK

    running = BackgroundJob(task=BULK_TASK, status="running", progress_done=100, progress_total=400,
                            args={"trigger": "send_to_review", "label": "Send to review", "application_ids": [1]})
    other = BackgroundJob(task="grantflow.core.tasks.database_health", status="done", args={})
    db.session.add_all([running, other])
    db.session.commit()
    page = client.get(f"/admin/applications/bulk/{running.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Refresh"] == "3"
    assert "Moving: 100 of 400 applications done (25%)" in html and "Stop reloading" in html
    stopped = client.get(f"/admin/applications/bulk/{running.id}?refresh=off")
    assert "Refresh" not in stopped.headers
    assert client.get(f"/admin/applications/bulk/{other.id}").status_code == 404


def test_bulk_move_with_a_confirmation_and_a_required_comment(client, admin):
    round_ = factories.create_round()
    targets = make_applications(round_, 2, state="screening")
    db.session.commit()
    data = {"trigger": "mark_ineligible", "scope": "selected", "ids": [str(a.id) for a in targets]}
    page = client.post("/admin/applications/bulk", data=data)
    assert page.status_code == 200 and "This cannot be undone." in page.get_data(as_text=True)
    missing = client.post("/admin/applications/bulk", data={**data, "confirmed": "yes"})
    assert missing.status_code == 422 and "Enter a comment" in missing.get_data(as_text=True)
    done = client.post("/admin/applications/bulk", data={**data, "confirmed": "yes",
                                                          "comment": "Not a government body."})
    assert "2 of 2 applications moved" in done.get_data(as_text=True)
    db.session.expire_all()
    assert {a.state for a in targets} == {"ineligible"}


def test_bulk_move_with_nothing_selected(client, admin):
    response = client.post("/admin/applications/bulk", data={"trigger": "start_screening", "scope": "selected"})
    assert response.status_code == 302
    assert "Select at least one application" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_failed_savepoint_keeps_the_other_moves_effects(admin):
    """request_information emails the applicant after the commit; a move that
    fails inside its SAVEPOINT must not drop the emails of the others."""
    from grantflow.staff.operations import bulk_fire

    round_ = factories.create_round()
    first, second, third = make_applications(round_, 3, state="screening")
    db.session.commit()
    # the second row changes behind the engine's back: its UPDATE will match no row
    db.session.execute(db.text("UPDATE applications SET version = version + 1 WHERE id = :id"), {"id": second.id})
    results = bulk_fire([first, second, third], "request_information", admin, comment="Add a budget line.")
    assert [r.is_done for r in results] == [True, False, True]
    assert "changed while you were looking at it" in results[1].message
    outbox.commit()
    recipients = {e.recipient for e in db.session.scalars(select(OutboxEmail))}
    members = {m.email for a in (first, third) for m in a.organisation.members}
    assert recipients == members


def test_the_read_only_application_page(client, admin):
    round_ = factories.create_round()
    [application] = make_applications(round_, 1, state="screening", name="City of Ames")
    db.session.commit()
    html = client.get(f"/admin/applications/{application.id}").get_data(as_text=True)
    assert "City of Ames" in html and "Eligibility screening" in html
    assert "What you can do now" in html and "History" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram" role="img"' in html
    assert "The application is at “Eligibility screening”." in html
    assert client.get("/admin/applications/999999").status_code == 404


def test_the_workflow_pages(client, admin):
    round_ = factories.create_round(workflow_key="small_grant")
    make_applications(round_, 2, state="screening")
    db.session.commit()
    listing = client.get("/admin/workflows").get_data(as_text=True)
    assert "/admin/workflows/local_to_global/v1" in listing and "/admin/workflows/small_grant/v1" in listing
    page = client.get("/admin/workflows/small_grant/v1?state=screening").get_data(as_text=True)
    assert "Screening and decision" in page and "<th scope=\"row\">Award<br><code>award</code></th>" in page
    assert 'class="wf-node wf-current"' in page
    assert "<code>workflows/small_grant.v1.yaml</code>" in page        # the file, not the server's path
    assert str(Path(client.application.config["WORKFLOWS_DIR"]).resolve()) not in page
    svg = client.get("/admin/workflows/local_to_global/v1.svg")
    assert svg.mimetype == "image/svg+xml" and svg.get_data(as_text=True).startswith("<?xml")
    assert client.get("/admin/workflows/nope/v1").status_code == 404


@pytest.mark.parametrize("url", ["/admin/applications", "/admin/workflows", "/admin/workflows/small_grant/v1"])
def test_staff_pages_refuse_applicants(client, login_as, url):
    login_as(quick_user("applicant", organisation=factories.create_organisation()))
    assert client.get(url).status_code == 403


def test_internal_notes_are_audited_and_seen_by_staff_only(client, admin, login_as):
    from tests import factories_reviews as fr

    round_ = factories.create_round()
    application = make_applications(round_, 1, state="in_review")[0]
    applicant = application.organisation.members[0]
    reviewer = fr.create_reviewer()
    assignment = fr.create_assignment(application, reviewer)
    db.session.commit()
    refused = client.post(f"/admin/applications/{application.id}/notes", data={"text": "   "})
    assert refused.status_code == 422 and "Write the note first." in refused.get_data(as_text=True)
    note = "Called the mayor's office: the council vote is on May 3."
    assert client.post(f"/admin/applications/{application.id}/notes", data={"text": note}).status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.staff_note"))
    assert (event.actor_id, event.comment, event.is_visible_to_applicant) == (admin.id, note, False)
    staff_page = client.get(f"/admin/applications/{application.id}").get_data(as_text=True)
    assert "Called the mayor&#39;s office" in staff_page and "Internal notes" in staff_page
    login_as(applicant)
    for url in ("/applications/", f"/applications/{application.id}"):
        assert "mayor&#39;s office" not in client.get(url).get_data(as_text=True)
    login_as(reviewer)
    page = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert "mayor&#39;s office" not in page
