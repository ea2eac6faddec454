"""Authorisation table: core (home page and health check). Format: README.md."""

ROUTES = {
    # the home page redirects each role to its own home; a reviewer stays on the landing
    # page until the reviews domain provides reviews.queue
    "core.home": {"anonymous": 200, "applicant": 302, "other_applicant": 302, "reviewer": (200, 302),
                  "admin": 302},
    "core.health": {"anonymous": 200, "applicant": 200, "other_applicant": 200, "reviewer": 200,
                    "admin": 200},
}
