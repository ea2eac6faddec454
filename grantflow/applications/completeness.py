"""Which required answers an application still lacks.

The form definition says what is required (see ``forms/``); without one, the
title and the amount requested are the minimum any application needs."""
from __future__ import annotations


def missing_answers(application) -> list[str]:
    try:
        from ..core.formdefs import missing_required
    except ImportError:
        missing_required = None
    if missing_required is not None:
        return missing_required(application)
    missing = []
    if not (application.title or "").strip():
        missing.append("Project title")
    if application.amount_requested_cents is None:
        missing.append("Amount requested")
    return missing
