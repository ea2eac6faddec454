"""Downloading an uploaded file: always as an attachment (never rendered by
the browser), with the type detected at upload, to whoever may see it."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..core import storage
from ..core.audit import record_event
from ..core.policy import allows, load
from .uploads import download_name_for, is_organisation_member, upload_key
from .views import bp


@bp.route("/attachments/<int:attachment_id>")
@allows("download", "attachment")
def download_attachment(attachment_id: int):
    attachment = load("attachment", attachment_id, "download")
    if not is_organisation_member(attachment.application, current_user):
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
