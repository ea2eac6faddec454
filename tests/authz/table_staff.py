"""Authorisation table: staff pages and the workflow move endpoint. Format: README.md.

The move endpoint answers everyone who may see the application: its
organisation's members and staff (a refused move is 403 with the reason);
other organisations and unassigned reviewers get 404. ``withdraw`` on the
scenario's draft: the applicant gets its confirmation page (200)."""

ADMIN = {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403, "admin": 200}
DEFAULT_WORKFLOW = {"key": lambda s: "local_to_global", "version": lambda s: 1}

ROUTES = {
    "staff.fire_transition": {
        "anonymous": 302, "applicant": 200, "other_applicant": 404, "reviewer": 404, "admin": 403,
        "args": {"trigger": lambda s: "withdraw"},
        "post": {"anonymous": 302, "applicant": 200, "other_applicant": 404, "reviewer": 404, "admin": 403},
        "data": lambda s: {"version": str(s.application.version)},
    },
    "staff.applications": ADMIN,
    "staff.bulk_action": {**ADMIN, "admin": 302},  # nothing selected: back to the list with a message
    "staff.application": ADMIN,
    "staff.workflows": ADMIN,
    "staff.workflow": {**ADMIN, "args": DEFAULT_WORKFLOW},
    "staff.workflow_svg": {**ADMIN, "args": DEFAULT_WORKFLOW},
}
