"""Uploaded files: accepted by their content, stored outside the web root
under random names, and served only to the people allowed to see them.

The name and the browser's content type are never trusted: the first bytes
decide (PDF, PNG, JPEG), and a ZIP must have the parts of a Word or Excel
document. Macro-enabled documents are refused."""
from __future__ import annotations

import hashlib
import secrets
import zipfile
from pathlib import Path, PurePath

import filetype
from flask import current_app
from sqlalchemy import select

from ..core import outbox, storage
from ..core.audit import record_event
from ..core.refusal import Refused
from ..core.workflow import registry as workflow_registry
from ..extensions import db
from .models import Attachment

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: the file-name extensions of each accepted type; a download carries one of them
EXTENSIONS = {"application/pdf": (".pdf",), DOCX: (".docx",), XLSX: (".xlsx",), "image/png": (".png",),
              "image/jpeg": (".jpg", ".jpeg")}
KIND_LABELS = {"application/pdf": "PDF", DOCX: "Word document", XLSX: "Excel spreadsheet",
               "image/png": "PNG image", "image/jpeg": "JPEG image"}
ACCEPTED = "PDF, Word (.docx), Excel (.xlsx), PNG or JPEG"
CHUNK = 64 * 1024


def _office_type(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.endswith("vbaProject.bin") for name in names):
        raise Refused("Documents with macros are not accepted. Save it as a normal .docx or .xlsx "
                            "and upload it again.")
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff_content_type(path: Path) -> str | None:
    """The accepted content type of the file at ``path``, or None."""
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office_type(path)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ("image/png", "image/jpeg"):
        return kind.mime
    return None


def upload_key(storage_name: str) -> str:
    """Where an attachment's file is in the ``uploads`` storage area."""
    return f"{storage_name[:2]}/{storage_name}"


def referenced_upload_keys(keys: list[str]) -> set[str]:
    names = {key.rsplit("/", 1)[-1]: key for key in keys}
    found = db.session.scalars(select(Attachment.storage_name).where(Attachment.storage_name.in_(names)))
    return {names[name] for name in found}


storage.REFERENCED_BY["uploads"].append(referenced_upload_keys)


def _clean_filename(name: str) -> str:
    # browsers on Windows used to send the full path; keep only the last part
    base = PurePath(name.replace("\\", "/")).name.strip() or "upload"
    return "".join(ch for ch in base if ch.isprintable())[:255]


def store_upload(application, field_key: str, upload, actor) -> Attachment:
    """Check and store one uploaded file (a werkzeug ``FileStorage``); flush,
    never commit. Raises ``Refused`` with a message for the field."""
    limit = int(current_app.config["MAX_UPLOAD_BYTES"])
    files = storage.area("uploads")
    storage_name = secrets.token_hex(20)
    key = upload_key(storage_name)
    digest, size = hashlib.sha256(), 0
    # checked in a local temporary file; stored only once accepted
    with files.new_file(key) as temporary:
        with open(temporary, "wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise Refused(f"“{_clean_filename(upload.filename)}” is larger than "
                                  f"{limit / (1024 * 1024):.0f} MB. Upload a smaller file "
                                  "(for example, a PDF saved at a lower quality).")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise Refused(f"“{_clean_filename(upload.filename)}” is empty. Choose the file again.")
        content_type = sniff_content_type(temporary)
        if content_type is None:
            raise Refused(f"“{_clean_filename(upload.filename)}” is not a file we accept. "
                          f"Upload a {ACCEPTED} file.")
    # the file exists from here on: if the transaction that records it rolls
    # back, nothing would ever point at it again
    outbox.on_rollback(files.delete, key)
    attachment = Attachment(application=application, field_key=field_key,
                            original_filename=_clean_filename(upload.filename), content_type=content_type,
                            size_bytes=size, sha256=digest.hexdigest(), storage_name=storage_name,
                            uploaded_by_id=getattr(actor, "id", None))
    db.session.add(attachment)
    db.session.flush()
    record_event(actor=actor, action="attachment.uploaded", subject=attachment, application=application,
                 data={"field": field_key, "filename": attachment.original_filename, "size": size,
                       "sha256": attachment.sha256})
    return attachment


def is_organisation_member(application, user) -> bool:
    resolver = workflow_registry.ROLE_RESOLVERS.get("applicant")
    return bool(resolver and resolver(application, user))


#: functions ``(user, attachment) -> str | None`` that may offer a download under
#: another file name (the review domain hides applicants' names from blind reviewers)
DOWNLOAD_NAME_HOOKS: list = []


def download_name_for(user, attachment: Attachment) -> str:
    name = next((found for hook in DOWNLOAD_NAME_HOOKS if (found := hook(user, attachment))),
                attachment.original_filename)
    return with_detected_extension(name, attachment.content_type)


def with_detected_extension(name: str, content_type: str) -> str:
    """``name`` ending in an extension of the detected type: a PDF uploaded as
    ``support.html`` downloads as ``support.pdf``, never as a page to open."""
    extensions = EXTENSIONS.get(content_type, ())
    path = PurePath(name)
    if not extensions or path.suffix.lower() in extensions:
        return name
    # replace what looks like an extension (".html"); keep text such as "v2.1 final"
    looks_like_one = path.suffix[1:].isalnum() and len(path.suffix) <= 6
    return (path.stem if looks_like_one else name) + extensions[0]
