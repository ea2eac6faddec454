"""What the round and fund settings pages store is what the domains read: the
round's reviewer cap limits automatic assignment, the fund's 360Giving prefix
names its grants in its own package."""
from __future__ import annotations

import json

from grantflow.extensions import db
from grantflow.portfolio.exports.giving import write_360_json
from grantflow.portfolio.filters import PortfolioFilters
from grantflow.reviews.assigning import assign_reviewers

from tests import factories
from tests import factories_reviews as fr
from tests.factories_reporting import create_grant


def test_the_rounds_reviewer_cap_lowers_each_reviewers_own():
    round_ = factories.create_round(reviews_per_application=1, settings={"reviewer_cap": 1})
    for _ in range(2):
        fr.create_in_review(round_)
    fr.create_reviewer(cap=5)
    report = assign_reviewers(round_, None)
    assert report.assigned == 1
    round_.settings = {}
    db.session.flush()
    assert assign_reviewers(round_, None).assigned == 1  # the second place, now the reviewer's own cap allows it


def test_a_funds_giving_prefix_names_its_grants(tmp_path):
    application = create_grant(fund_settings={"giving_prefix": "l2g-fund"})
    write_360_json(tmp_path / "one.json", PortfolioFilters(fund_id=application.round.fund_id))
    grant, = json.loads((tmp_path / "one.json").read_text())["grants"]
    assert grant["id"] == f"360G-l2g-fund-{application.id}"
    write_360_json(tmp_path / "all.json", PortfolioFilters())  # every fund: the installation's prefix
    grant, = json.loads((tmp_path / "all.json").read_text())["grants"]
    assert grant["id"].startswith("360G-usocsd-")
