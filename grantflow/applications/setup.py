"""Start-up for the applications domain: load and check every form definition
(an invalid one stops start-up with its problems, like the workflows), and the
template helpers the read-only answers partial uses."""
from __future__ import annotations

from ..core import formdefs


def application_attachments(application) -> dict:
    """{id: Attachment} of one application (for ``applications/_answers.html``)."""
    from sqlalchemy import select

    from ..extensions import db
    from .models import Attachment

    if application is None:
        return {}
    rows = db.session.scalars(select(Attachment).where(Attachment.application_id == application.id))
    return {row.id: row for row in rows}


def init_app(app) -> None:
    formdefs.init_app(app)
    app.add_template_global(formdefs.definition_for, "application_form")
    app.add_template_global(application_attachments, "application_attachments")
