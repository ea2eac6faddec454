"""Authorisation table: core (home page and health check). Format: README.md."""

ROUTES = {
    # the home page sends each role to its own home (applicant: my applications,
    # reviewer: my queue, admin: the dashboard); visitors see the landing page
    "core.home": {"anonymous": 200, "applicant": 302, "other_applicant": 302, "reviewer": 302, "admin": 302},
    "core.health": {"anonymous": 200, "applicant": 200, "other_applicant": 200, "reviewer": 200,
                    "admin": 200},
}
