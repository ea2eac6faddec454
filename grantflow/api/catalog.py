"""The public reads: funds, rounds, and the grants of rounds that publish open data.

A published grant is an accepted award (the applicant accepted it, and the
application is in a grant stage: funded, closing or completed) of a round that
publishes; nothing about people, only organisations, places, amounts and dates.
This is the rule of ``grantflow.catalog`` (helper announcement of issue 18.2):
``published_round_ids`` here follows its per-round setting with the fund's as
the default, so the API and the catalog pages show the same grants."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from ..applications.models import Application, reference_for
from ..awards.models import Award
from ..core.workflow.meaning import GRANT_STAGES, in_stages
from ..extensions import db
from ..funds.models import Fund, Round
from ..organisations.models import Organisation


def fund_publishes(fund: Fund) -> bool:
    return bool(current_app.config.get("OPEN_DATA_ALL_FUNDS")) or bool((fund.settings or {}).get("open_data"))


def round_publishes(round_: Round) -> bool:
    """The round's own ``open_data`` setting, else its fund's."""
    own = (round_.settings or {}).get("open_data")
    return bool(own) if own is not None else fund_publishes(round_.fund)


def published_round_ids() -> list[int]:
    rounds = db.session.scalars(sa.select(Round).options(sa.orm.joinedload(Round.fund))).all()
    return [r.id for r in rounds if round_publishes(r)]


def fund_row(fund: Fund) -> dict:
    return {"id": fund.id, "slug": fund.slug, "name": fund.name, "description": fund.description,
            "funder_name": fund.funder_name, "publishes_open_data": fund_publishes(fund)}


def round_row(round_: Round) -> dict:
    return {"id": round_.id, "fund_id": round_.fund_id, "name": round_.name, "description": round_.description,
            "opens_at": round_.opens_at, "closes_at": round_.closes_at, "is_open": round_.is_open(),
            "budget_cents": round_.budget_cents, "min_request_cents": round_.min_request_cents,
            "max_request_cents": round_.max_request_cents}


def grants_select(*, fund_id: int | None = None, round_id: int | None = None):
    """Award, Application, Round, Organisation rows of the published grants (first column: the award)."""
    query = (sa.select(Award, Application, Round, Organisation)
             .join(Application, Award.application_id == Application.id)
             .join(Round, Application.round_id == Round.id)
             .join(Organisation, Application.organisation_id == Organisation.id)
             .where(Award.accepted_at.is_not(None), in_stages(Application, *GRANT_STAGES),
                    Round.id.in_(published_round_ids())))
    if fund_id is not None:
        query = query.where(Round.fund_id == fund_id)
    if round_id is not None:
        query = query.where(Round.id == round_id)
    return query


def grant_row(award: Award, application: Application, round_: Round, organisation: Organisation) -> dict:
    return {"reference": reference_for(application.id), "fund_id": round_.fund_id, "round_id": round_.id,
            "title": application.title, "organisation": organisation.name, "us_state": organisation.state,
            "themes": list(application.themes or []), "amount_awarded_cents": award.amount_cents,
            "period_start": award.period_start, "period_end": award.period_end,
            "accepted_on": award.accepted_at.date()}
