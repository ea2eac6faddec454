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


def attachment_rows(application) -> list[dict]:
    """Every file uploaded for an application, newest first, with the question
    it answers and whether the answers still use it (for ``_attachments.html``)."""
    definition = formdefs.definition_for(application)
    current = set(formdefs.attachment_ids(definition, application.answers or {}))
    rows = []
    for attachment in sorted(application_attachments(application).values(), key=lambda a: a.id, reverse=True):
        group_id, _, field_id = attachment.field_key.partition(".")
        fdef = definition.field(group_id)
        label = attachment.field_key
        if fdef is not None:
            sub = fdef.subfield(field_id) if field_id else None
            label = f"{fdef.label}: {sub.label}" if sub else fdef.label
        rows.append({"attachment": attachment, "label": label, "is_current": attachment.id in current})
    return rows


def init_app(app) -> None:
    formdefs.init_app(app)
    app.add_template_global(formdefs.definition_for, "application_form")
    app.add_template_global(application_attachments, "application_attachments")
    app.add_template_global(attachment_rows, "application_attachment_rows")
