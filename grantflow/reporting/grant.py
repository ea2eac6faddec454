"""The award side of a grant, as reporting sees it: the awarded amount, the
period of performance, the payment tranches and the letters. One module so
that the awards domain's names appear in a single place."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db


def award_for(application):
    from ..awards.operations import award_for as find_award

    return find_award(application)


def award_period(award) -> tuple[date, date]:
    return award.period_start, award.period_end


def tranches_for(application) -> list:
    from ..awards.models import PaymentTranche

    award = award_for(application)
    if award is None:
        return []
    return list(db.session.scalars(select(PaymentTranche).where(PaymentTranche.award_id == award.id)
                                   .order_by(PaymentTranche.sequence)))


def tranches_released_by(report) -> list:
    """The tranches that accepting ``report`` makes due.

    The k-th accepted interim report releases the first tranche still waiting
    for an interim report; the final report releases the tranches waiting for
    it, and any interim tranche the schedule had no interim report for (a grant
    shorter than the reporting interval), so no money is stranded."""
    waiting = [t for t in tranches_for(report.application) if t.status == "scheduled"]
    if report.kind == "interim":
        return [t for t in waiting if t.release_on == "interim_report"][:1]
    if report.kind == "final":
        return [t for t in waiting if t.release_on in ("interim_report", "final_report")]
    return []


def release_tranches_for(report, actor) -> list:
    from ..awards import operations as award_operations

    released = tranches_released_by(report)
    for tranche in released:
        award_operations.release_tranche(tranche, actor, reason=f"{report.title} accepted")
    return released


def lock_award(award_id: int):
    """Load the award FOR UPDATE (PostgreSQL) so payment totals are checked
    and written by one transaction at a time; SQLite serialises writers anyway."""
    from ..awards.models import Award

    return db.session.execute(select(Award).where(Award.id == award_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


def mark_tranche_paid(tranche, actor) -> None:
    from ..awards import operations as award_operations

    award_operations.mark_tranche_paid(tranche, actor)


def latest_closeout_letter(application):
    from ..awards.models import Letter

    from ..core.workflow.engine import definition_for
    from .closeout import CLOSE_GUARD

    definition = definition_for(application)
    kinds = [definition.letter_of(t) for t in definition.transitions if CLOSE_GUARD in t.guards]
    return db.session.scalar(select(Letter).where(Letter.application_id == application.id,
                                                  Letter.kind.in_([k for k in kinds if k]))
                             .order_by(Letter.version.desc()).limit(1))
