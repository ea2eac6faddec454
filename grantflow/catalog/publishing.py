"""Which rounds publish their funded projects as open data.

A round's settings decide (``open_data: true`` or ``false``, the round form's
"publish funded projects as open data"); a round that says nothing follows its
fund (``Fund.settings["open_data"]``), and ``GRANTFLOW_OPEN_DATA=1`` makes every
fund publish. The rule itself is the funds domain's (``funds.operations.publishes``,
which the round pages show too); rounds are few, so it runs in Python over one query."""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..funds.models import Fund, Round
from ..funds.operations import fund_publishes, publishes  # noqa: F401 (fund_publishes: the API reads it here)


def round_publishes(round_: Round) -> bool:
    return publishes(round_)


def published_round_ids() -> list[int]:
    """The ids of the rounds that publish (one query)."""
    rounds = db.session.scalars(sa.select(Round).options(sa.orm.joinedload(Round.fund))).all()
    return sorted(r.id for r in rounds if round_publishes(r))


def publishing_funds() -> list[Fund]:
    """The funds with at least one publishing round, by name."""
    ids = published_round_ids()
    if not ids:
        return []
    # IN, not DISTINCT over the join: PostgreSQL has no equality for the JSON settings column
    funds = sa.select(Round.fund_id).where(Round.id.in_(ids))
    return list(db.session.scalars(sa.select(Fund).where(Fund.id.in_(funds)).order_by(Fund.name)))


def published_fund(slug: str) -> tuple[Fund, list[int]] | None:
    """The fund with this slug and its publishing rounds, or None when it publishes nothing."""
    fund = db.session.scalars(sa.select(Fund).where(Fund.slug == slug)).first()
    if fund is None:
        return None
    rounds = [r.id for r in fund.rounds if round_publishes(r)]
    return (fund, rounds) if rounds else None
