"""Authorisation table: the public catalog (no sign-in). Format: README.md.

Public pages answer everyone alike. That a project page or download of what is
not published is not found, for everyone, is tests/catalog/test_no_leaks.py."""
from tests import factories
from tests.factories_portfolio import create_case


def _open_fund(s):
    return factories.create_fund(slug="open-fund", settings={"open_data": True})


def _published(s):
    """An accepted award (paid once) in a round of the publishing fund."""
    return create_case(factories.create_round(s.open_fund), state="active", awarded=2_000_000, paid=(1_000_000,))


SCENARIO = {"open_fund": _open_fund, "published": _published}
URL_ARGS = {"slug": "open_fund.slug"}

EVERYONE = {"anonymous": 200, "applicant": 200, "other_applicant": 200, "reviewer": 200, "admin": 200}
NOBODY = {"anonymous": 404, "applicant": 404, "other_applicant": 404, "reviewer": 404, "admin": 404}
MOVED = {"anonymous": 301, "applicant": 301, "other_applicant": 301, "reviewer": 301, "admin": 301}

ROUTES = {
    "catalog.index": EVERYONE,
    "catalog.us_map": EVERYONE,
    "catalog.project": {**EVERYONE, "args": {"application_id": "published.id"}},
    "catalog.download": {**EVERYONE, "args": {"extension": lambda s: "json"}, "needs": ["published"]},
    "catalog.open_data": MOVED,
    "catalog.open_data_360": MOVED,
}
