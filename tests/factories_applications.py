"""Factories for the applicant side: complete answers for the default form,
attachments and file contents of each accepted (and a refused) type."""
from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta


def complete_answers(*, title: str = "Sister-city climate exchange", amount_requested_cents: int = 7_500_000,
                     themes: list | None = None, **overrides) -> dict:
    """Answers that satisfy every required question and rule of
    ``forms/applications/local_to_global.v1.yaml`` (the organisation-sourced
    answers are copied from the profile at save time)."""
    start = date.today() + timedelta(days=60)
    end = start + timedelta(days=364)
    answers = {
        "lead_name": "Dana Whitfield", "lead_title": "Director of International Affairs",
        "lead_email": "dana.whitfield@example.gov", "lead_phone": "515-555-0142",
        "representative_name": "Mayor Alex Romero", "representative_title": "Mayor",
        "title": title,
        "project_summary": "A two-year climate exchange with our sister city.",
        "themes": themes or ["climate"],
        "partner_places": [{"country": "Mexico", "city": "Monterrey"}],
        "project_start": start.isoformat(), "project_end": end.isoformat(),
        "what": "Host and send delegations on building retrofits.",
        "how": "Quarter 1: plan. Quarter 2: visit. Quarter 3: host. Quarter 4: report.",
        "why": "Local jobs in retrofitting and new investment.",
        "success_definition": "Three retrofits started with partner firms.",
        "metric_targets": {"jobs_created": 12, "delegations_hosted": 2, "investment_usd": 500000},
        "measurement": "Our economic development office tracks the figures quarterly.",
        "has_partners": True,
        "partners": [{"name": "Des Moines Area Community College", "type": "academic",
                      "role": "Runs the retrofit training."}],
        "amount_requested": amount_requested_cents,
        "budget_lines": [{"category": "travel", "description": "Two delegations",
                          "amount": amount_requested_cents}],
        "has_match": False,
        "certifier_name": "Alex Romero", "certified_on": date.today().isoformat(),
    }
    answers.update(overrides)
    return answers


# -- file contents ----------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                          "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")
JPEG_BYTES = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + b"\x08" * 64 + b"\xff\xd9"


def office_bytes(kind: str = "docx") -> bytes:
    """A minimal Office Open XML package (docx or xlsx) with the parts that identify it."""
    buffer = io.BytesIO()
    main_part = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(main_part, '<?xml version="1.0"?><document/>')
    return buffer.getvalue()


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not an office document")
    return buffer.getvalue()


EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode."
HTML_BYTES = b"<!doctype html><script>alert(1)</script>"


def upload(content: bytes, filename: str = "letter.pdf", content_type: str = "application/octet-stream"):
    """A werkzeug FileStorage, as a browser would post it."""
    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(content), filename=filename, content_type=content_type)


def create_attachment(application, *, field_key: str = "budget_document", content: bytes = PDF_BYTES,
                      filename: str = "budget.pdf", uploaded_by=None, link: bool = True):
    """A stored attachment (through the real upload path), referenced from the
    answers unless ``link`` is False."""
    from grantflow.applications.uploads import store_upload

    attachment = store_upload(application, field_key, upload(content, filename), uploaded_by)
    if link and "." not in field_key:
        application.answers = {**(application.answers or {}), field_key: attachment.id}
    return attachment
