"""Background jobs of the applications domain (they take ids, never ORM objects)."""
from __future__ import annotations


def compact_tallies(job) -> dict:
    """Fold the application tallies into one row per (round, state) (see ``tallies``)."""
    from .tallies import compact

    return {"folded": compact()}
