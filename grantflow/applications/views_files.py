"""Downloading an uploaded file: always as an attachment (never rendered by
the browser), with the type detected at upload, to whoever may see it."""
from __future__ import annotations

from flask import abort
from flask_login import current_user, login_required

from ..core import storage
from ..core.audit import record_event
from ..extensions import db
from .models import Attachment
from .uploads import can_download_attachment, download_name_for, upload_key
from .views import bp


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download_attachment(attachment_id: int):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    decision = can_download_attachment(current_user, attachment)
    if not decision:
        # applicants cannot tell another organisation's files exist; others are told why not
        if not (current_user.has_role("admin") or current_user.has_role("reviewer")):
            abort(404)
        abort(403, decision.reason)
    if not current_user.has_role("applicant") or current_user.organisation_id != attachment.application.organisation_id:
        record_event(actor=current_user, action="attachment.downloaded", subject=attachment,
                     application=attachment.application)
    try:
        response = storage.area("uploads").send(upload_key(attachment.storage_name),
                                                mimetype=attachment.content_type,
                                                download_name=download_name_for(current_user, attachment))
    except FileNotFoundError:
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
