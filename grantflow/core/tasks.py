"""Core background tasks."""
from __future__ import annotations

from ..extensions import db


def database_health(job) -> dict:
    """A tiny job that proves a worker can reach the database (``grantflow jobs ping``)."""
    return {"dialect": db.engine.dialect.name, "job_id": job.id}
