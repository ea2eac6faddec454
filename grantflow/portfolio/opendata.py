"""Public open data: the awarded grants and consented success stories of the
funds that choose to publish, and their 360Giving package at a stable URL.

A fund publishes when its settings say ``open_data: true`` or the deployment sets
``GRANTFLOW_OPEN_DATA=1`` (every fund). Nothing here names a person: grants carry
organisations, places, amounts and dates only, and stories are shown only when
their authors consented to publication."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app

from ..applications.models import Application
from ..core import storage
from ..extensions import db
from ..funds.models import Fund
from ..organisations.models import US_STATES, Organisation
from . import facts
from .exports.base import ExportError
from .exports.giving import write_360_json
from .filters import PortfolioFilters
from .labels import theme_labels
from .queries import Story, _stories, portfolio_select

PAGE_SIZE = 50
PUBLIC_SUBDIR = "public"


class NothingPublished(LookupError):
    pass


def publishes(fund: Fund) -> bool:
    return bool(current_app.config.get("OPEN_DATA_ALL_FUNDS")) or bool((fund.settings or {}).get("open_data"))


@dataclass(frozen=True)
class PublicGrant:
    reference: str
    organisation: str
    us_state: str
    title: str
    themes: str
    awarded_cents: int
    awarded_on: object


@dataclass
class PublicListing:
    grants: list[PublicGrant]
    total: int
    awarded_cents: int
    stories: list[Story]
    stories_total: int


def published_grants(fund: Fund, *, page: int = 1) -> PublicListing:
    """One page of the fund's grants, newest first, with the totals (three queries)."""
    filters = PortfolioFilters(fund_id=fund.id)
    award = facts.award_facts()
    grant = facts.is_grant(award)
    totals = db.session.execute(filters.apply(portfolio_select(
        sa.func.count(Application.id), sa.func.coalesce(sa.func.sum(award.c.awarded_cents), 0), award=award)
        .where(grant))).one()
    rows = db.session.execute(filters.apply(portfolio_select(
        Application.id, Organisation.name, Organisation.state, Application.title, Application.themes,
        award.c.awarded_cents, Application.decided_at, award=award).where(grant))
        .order_by(Application.decided_at.desc(), Application.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    labels = theme_labels()
    grants = [PublicGrant(f"L2G-{r.id:05d}", r.name, US_STATES.get(r.state, r.state), r.title,
                          ", ".join(labels.get(t, t) for t in (r.themes or [])), int(r.awarded_cents),
                          r.decided_at) for r in rows]
    stories, stories_total = _stories(filters, 10) if page == 1 else ([], 0)
    return PublicListing(grants, totals[0], int(totals[1]), stories, stories_total)


def published_package(fund: Fund) -> str:
    """The key of the fund's 360Giving package in the ``exports`` storage area,
    regenerated when older than OPEN_DATA_MAX_AGE seconds (default an hour).
    It is stored whole, so a reader never sees half a file."""
    key = f"{PUBLIC_SUBDIR}/{fund.slug}-360giving.json"
    files = storage.area("exports")
    max_age = int(current_app.config.get("OPEN_DATA_MAX_AGE", 3600))
    stored = files.stat(key)
    if stored is not None and (datetime.now(timezone.utc) - stored.modified_at).total_seconds() < max_age:
        return key
    try:
        with files.new_file(key) as path:
            write_360_json(path, PortfolioFilters(fund_id=fund.id))
    except ExportError as exc:
        raise NothingPublished(f"{fund.name} has no awarded grants to publish yet.") from exc
    return key
