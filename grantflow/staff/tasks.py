"""Background jobs of the staff domain (they take ids, never ORM objects)."""
from __future__ import annotations

from ..applications.models import reference_for
from ..core.jobs import report_progress
from ..extensions import db
from ..users.models import User
from . import queries
from .operations import bulk_fire

BULK_TASK = "grantflow.staff.tasks.bulk_move"
#: moves committed together (each still in its own SAVEPOINT); progress is recorded after each batch
BATCH = 100
#: refusals kept on the job row for the results page (the count covers them all)
REFUSALS_KEPT = 200


def bulk_move(job, trigger: str, label: str, application_ids: list[int], comment: str | None = None) -> dict:
    """The list's bulk action for more applications than a request should hold:
    the same moves (``bulk_fire``), committed a batch at a time, so a move made
    stays made if a later batch fails, and the results page shows progress."""
    actor = db.session.get(User, job.created_by_id)
    done, refused, refused_total = 0, [], 0
    report_progress(job, 0, len(application_ids))
    for start in range(0, len(application_ids), BATCH):
        batch = queries.applications_by_id(application_ids[start:start + BATCH])
        for result in bulk_fire(batch, trigger, actor, comment=comment):
            if result.is_done:
                done += 1
                continue
            refused_total += 1
            if len(refused) < REFUSALS_KEPT:
                refused.append({"id": result.application.id, "reference": reference_for(result.application.id),
                                "title": result.application.title, "reason": result.message})
        report_progress(job, min(start + BATCH, len(application_ids)))  # commits the batch
    return {"label": label, "total": len(application_ids), "done": done, "refused_total": refused_total,
            "refused": refused}
