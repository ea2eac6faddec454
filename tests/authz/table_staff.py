"""Authorisation table: staff pages and the workflow move endpoint. Format: README.md.

The move endpoint answers everyone who may see the application: its
organisation's members and staff (a refused move is 403 with the reason);
other organisations and unassigned reviewers get 404. ``withdraw`` on the
scenario's draft: the applicant gets its confirmation page (200)."""

from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from grantflow.staff.tasks import BULK_TASK


def _bulk_job(s):
    job = BackgroundJob(task=BULK_TASK, status="done", created_by_id=s.admin.id,
                        args={"trigger": "start_screening", "label": "Start screening", "application_ids": []},
                        result={"label": "Start screening", "total": 0, "done": 0, "refused_total": 0, "refused": []})
    db.session.add(job)
    db.session.flush()
    return job


SCENARIO = {"bulk_job": _bulk_job}
ROUND = {"name": "2027 round", "opens": "2027-01-15T09:00", "closes": "2027-03-31T17:00",
         "timezone": "America/New_York", "budget": "3000000", "min_award": "10000", "max_award": "250000",
         "workflow": "local_to_global:1", "form": "local_to_global:1", "rubric": "local_to_global:1",
         "reviewers_per_application": "3"}
SETTINGS = {"payment_schedule-0-label": "Advance", "payment_schedule-0-release_on": "acceptance",
            "payment_schedule-0-percent": "100", "interim_report_months": "6", "final_report_days": "120",
            "reminder_days_before": "14", "award_number_prefix": "OCSD-L2G"}

ADMIN = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 200}
DEFAULT_WORKFLOW = {"key": lambda s: "local_to_global", "version": lambda s: 1}

ROUTES = {
    # the administrators' dashboard of rounds
    "staff.dashboard": {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403,
                        "admin": 200},
    "core.fire_transition": {
        "anonymous": 302, "applicant": 200, "other_applicant": 404, "reviewer": 404, "admin": 403,
        "args": {"trigger": lambda s: "withdraw"},
        "post": {"anonymous": 302, "applicant": 200, "other_applicant": 404, "reviewer": 404, "admin": 403},
        "data": lambda s: {"version": str(s.application.version)},
    },
    "staff.applications": ADMIN,
    "staff.bulk_action": {**ADMIN, "admin": 302},  # nothing selected: back to the list with a message
    "staff.bulk_job": {**ADMIN, "args": {"job_id": lambda s: s.bulk_job.id}},
    "staff.application": ADMIN,
    "staff.add_note": {**ADMIN, "admin": 302, "data": {"text": "Called the mayor's office."}},
    "core.workflows": ADMIN,
    "core.workflow": {**ADMIN, "args": DEFAULT_WORKFLOW},
    "core.workflow_svg": {**ADMIN, "args": DEFAULT_WORKFLOW},
    # rounds and fund settings (valid values: the bad-input fuzz starts from them; refusals: tests/rounds)
    "staff.rounds": ADMIN,
    "staff.round": ADMIN,
    "staff.new_round": {**ADMIN, "post": {**ADMIN, "admin": 302}, "data": ROUND},
    "staff.edit_round": {**ADMIN, "post": {**ADMIN, "admin": 302}, "data": ROUND},
    "staff.close_round": {**ADMIN, "admin": 302},
    # a message to the round's applicants: the preview (nothing sent; refusals and sending: tests/rounds)
    "staff.round_message": {**ADMIN, "post": ADMIN,
                            "data": {"action": "preview", "subject": "Site visits", "text": "We will visit."}},
    "staff.fund_settings": {**ADMIN, "post": {**ADMIN, "admin": 302}, "data": SETTINGS},
}
