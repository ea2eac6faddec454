"""Authorisation table: the applications domain. Format: README.md."""

ROUTES = {
    "applications.mine": {"anonymous": 302, "applicant": 200, "other_applicant": 200, "reviewer": 403,
                          "admin": 403},
}
