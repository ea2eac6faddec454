"""Authorisation table: the funds domain (the administrators' round dashboard). Format: README.md."""

ROUTES = {
    "funds.dashboard": {"anonymous": 302, "applicant": 403, "other_applicant": 403, "reviewer": 403,
                        "admin": 200},
}
