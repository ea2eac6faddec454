"""Background jobs of the reporting domain (they take plain values, never ORM objects)."""
from __future__ import annotations

from datetime import date

from ..core import outbox
from .reminders import describe, send_due_reminders


def send_reminders(job, today: str | None = None) -> dict:
    """The daily reminder run as a job: ``grantflow remind --enqueue`` or the
    dashboard's button queue it; cron can run ``grantflow remind`` instead.
    Idempotent, so a job retried after a crash sends nothing twice."""
    counts = send_due_reminders(date.fromisoformat(today) if today else None)
    outbox.commit()
    return {"sent": dict(counts), "message": describe(counts)}
