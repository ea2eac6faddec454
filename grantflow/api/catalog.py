"""The public reads: funds, rounds, and the grants of rounds that publish open data.

A published grant follows the public catalog's rule, reused from there so the
API and the catalog pages can never disagree: an accepted award (the applicant
accepted it, and the workflow puts the application in a grant stage) of a round
that publishes (``catalog.publishing``). Only organisations, places, themes,
amounts and dates: nothing about people."""
from __future__ import annotations

import sqlalchemy as sa

from ..applications.models import Application, reference_for
from ..catalog.publishing import fund_publishes, published_round_ids
from ..funds.models import Fund, Round
from ..organisations.models import Organisation
from ..portfolio import facts


def fund_row(fund: Fund) -> dict:
    return {"id": fund.id, "slug": fund.slug, "name": fund.name, "description": fund.description,
            "funder_name": fund.funder_name, "publishes_open_data": fund_publishes(fund)}


def round_row(round_: Round) -> dict:
    return {"id": round_.id, "fund_id": round_.fund_id, "name": round_.name, "description": round_.description,
            "opens_at": round_.opens_at, "closes_at": round_.closes_at, "is_open": round_.is_open(),
            "budget_cents": round_.budget_cents, "min_request_cents": round_.min_request_cents,
            "max_request_cents": round_.max_request_cents}


def grants_select(*, fund_id: int | None = None, round_id: int | None = None):
    """(select, its id column): the published grants, first column the award's id (the cursor's key)."""
    award = facts.award_facts()
    query = (sa.select(award.c.award_id, award.c.awarded_cents, award.c.period_start, award.c.period_end,
                       award.c.accepted_at, Application.id.label("application_id"), Application.title,
                       Application.themes, Round.id.label("round_id"), Round.fund_id,
                       Organisation.name.label("organisation"), Organisation.state.label("us_state"))
             .select_from(Application)
             .join(Organisation, Organisation.id == Application.organisation_id)
             .join(Round, Round.id == Application.round_id)
             .join(award, award.c.application_id == Application.id)
             .where(facts.is_accepted_grant(award), Application.round_id.in_(published_round_ids())))
    if fund_id is not None:
        query = query.where(Round.fund_id == fund_id)
    if round_id is not None:
        query = query.where(Round.id == round_id)
    return query, award.c.award_id


def grant_row(row) -> dict:
    return {"reference": reference_for(row.application_id), "fund_id": row.fund_id, "round_id": row.round_id,
            "title": row.title, "organisation": row.organisation, "us_state": row.us_state,
            "themes": list(row.themes or []), "amount_awarded_cents": int(row.awarded_cents),
            "period_start": row.period_start, "period_end": row.period_end,
            "accepted_on": row.accepted_at.date()}
