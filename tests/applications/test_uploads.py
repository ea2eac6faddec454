"""Uploads: accepted by content, limited in size, stored outside the web root
under random names, downloaded as attachments only by those allowed."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from grantflow.applications.models import Attachment
from grantflow.applications.uploads import (
    DOCX, XLSX, sniff_content_type, store_upload, upload_key,
)
from grantflow.config import PROJECT_ROOT
from grantflow.core import outbox, storage
from grantflow.core.policy import can
from grantflow.core.refusal import Refused
from grantflow.core.workflow import registry as workflow_registry
from grantflow.extensions import db

from tests.factories import PASSWORD
from tests.factories_applications import (
    EXE_BYTES, HTML_BYTES, JPEG_BYTES, PDF_BYTES, PNG_BYTES, create_attachment, office_bytes, plain_zip_bytes,
    upload,
)

from .conftest import reload

ACCEPTED = [
    ("letter.pdf", PDF_BYTES, "application/pdf"),
    ("letter.docx", office_bytes("docx"), DOCX),
    ("budget.xlsx", office_bytes("xlsx"), XLSX),
    ("photo.png", PNG_BYTES, "image/png"),
    ("photo.jpg", JPEG_BYTES, "image/jpeg"),
    ("misnamed.txt", PDF_BYTES, "application/pdf"),  # the content decides, not the name
]

REFUSED = [
    ("setup.exe", EXE_BYTES, "is not a file we accept"),
    ("setup.pdf", EXE_BYTES, "is not a file we accept"),  # a program renamed .pdf
    ("page.html", HTML_BYTES, "is not a file we accept"),
    ("archive.docx", plain_zip_bytes(), "is not a file we accept"),  # a zip that is not a Word document
    ("empty.pdf", b"", "is empty"),
]


def _stored_files() -> set[str]:
    return {stored.key for stored in storage.area("uploads").list()}


def _is_stored(attachment) -> bool:
    return storage.area("uploads").exists(upload_key(attachment.storage_name))


def _macro_document() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("word/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


@pytest.mark.parametrize("filename, content, content_type", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_files_are_recognised_by_their_content(app, draft, filename, content, content_type):
    attachment = store_upload(draft, "budget_document", upload(content, filename), None)
    assert attachment.content_type == content_type
    assert attachment.size_bytes == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("filename, content, message", REFUSED + [("macros.docx", _macro_document(), "macros")],
                         ids=[r[0] for r in REFUSED] + ["macros.docx"])
def test_refused_files_say_why_and_leave_nothing_behind(app, storage_backend, draft, filename, content, message):
    before = _stored_files()
    with pytest.raises(Refused, match=message):
        store_upload(draft, "budget_document", upload(content, filename), None)
    assert db.session.query(Attachment).count() == 0
    assert _stored_files() == before


def test_a_file_over_the_size_limit_is_refused_with_the_limit(app, draft, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
    big = PDF_BYTES + b"0" * (2 * 1024 * 1024)
    before = _stored_files()
    with pytest.raises(Refused, match="larger than 2 MB"):
        store_upload(draft, "budget_document", upload(big, "big.pdf"), None)
    assert _stored_files() == before


def test_a_stored_file_goes_when_its_transaction_rolls_back(app, storage_backend, draft):
    kept = store_upload(draft, "budget_document", upload(PDF_BYTES, "kept.pdf"), None)
    outbox.commit()
    dropped = store_upload(draft, "budget_document", upload(PDF_BYTES, "dropped.pdf"), None)
    assert _is_stored(dropped)
    db.session.rollback()
    assert not _is_stored(dropped) and _is_stored(kept)
    assert _stored_files() == {upload_key(kept.storage_name)}


def test_a_file_stored_inside_a_rolled_back_savepoint_goes_and_the_others_stay(app, storage_backend, draft):
    before = store_upload(draft, "budget_document", upload(PDF_BYTES, "before.pdf"), None)
    savepoint = db.session.begin_nested()
    inside = store_upload(draft, "budget_document", upload(PNG_BYTES, "inside.png"), None)
    assert _is_stored(inside)
    savepoint.rollback()
    assert not _is_stored(inside)
    outbox.commit()
    assert _is_stored(before)


def test_files_are_stored_outside_the_web_root_under_random_names(app, draft):
    attachment = create_attachment(draft, filename="../../etc/passwd.pdf")
    path = storage.LocalStorage(app.config["UPLOAD_DIR"]).path(upload_key(attachment.storage_name))
    assert path.read_bytes() == PDF_BYTES
    assert Path(app.config["UPLOAD_DIR"]) in path.parents
    assert Path(app.static_folder) not in path.parents and PROJECT_ROOT / "static" not in path.parents
    assert path.name == attachment.storage_name and len(path.name) == 40 and "passwd" not in path.name
    assert attachment.original_filename == "passwd.pdf"
    assert sniff_content_type(path) == "application/pdf"


def test_an_upload_on_a_page_becomes_the_answer_and_a_bad_one_an_error_next_to_it(client, storage_backend, draft,
                                                                                  signed_in):
    url = f"/applications/{draft.id}/pages/budget"
    base = {"_action": "save", "amount_requested": "75000", "has_match": "no",
            "budget_lines-0-category": "travel", "budget_lines-0-description": "Trips",
            "budget_lines-0-amount": "75000"}
    response = client.post(url, data={**base, "budget_document": (io.BytesIO(PDF_BYTES), "budget.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    attachment = db.session.query(Attachment).one()
    assert reload(draft).answers["budget_document"] == attachment.id
    assert attachment.uploaded_by_id == signed_in.id
    page = client.get(url).get_data(as_text=True)
    assert "budget.pdf" in page and f'name="budget_document__current" value="{attachment.id}"' in page
    assert f'href="/applications/attachments/{attachment.id}"' in page
    download = client.get(f"/applications/attachments/{attachment.id}")  # following the page's link
    assert download.status_code == 200 and download.data == PDF_BYTES

    response = client.post(url, data={**base, "amount_requested": "76000",
                                      "budget_document": (io.BytesIO(EXE_BYTES), "virus.pdf")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“virus.pdf” is not a file we accept" in html and 'id="budget_document-error"' in html
    application = reload(draft)
    assert application.answers["budget_document"] == attachment.id  # the earlier file is kept
    assert application.amount_requested_cents == 7_600_000  # and the other answers saved


def test_letters_of_support_inside_partner_items_keep_their_files(client, draft, signed_in):
    url = f"/applications/{draft.id}/pages/partners"
    response = client.post(url, data={
        "_action": "save", "has_partners": "yes",
        "partners-0-name": "ISU", "partners-0-type": "academic", "partners-0-role": "Research",
        "partners-0-letter": (io.BytesIO(PDF_BYTES), "isu.pdf"),
        "partners-1-name": "LRC", "partners-1-type": "community", "partners-1-role": "Outreach",
        "partners-1-letter": (io.BytesIO(PNG_BYTES), "lrc.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    isu, lrc = db.session.query(Attachment).order_by(Attachment.id).all()
    assert isu.field_key == "partners.letter"
    response = client.post(url, data={
        "_action": "remove:partners:partners-0", "has_partners": "yes",
        "partners-0-name": "ISU", "partners-0-type": "academic", "partners-0-role": "Research",
        "partners-0-letter__current": str(isu.id),
        "partners-1-name": "LRC", "partners-1-type": "community", "partners-1-role": "Outreach",
        "partners-1-letter__current": str(lrc.id)})
    assert reload(draft).answers["partners"] == [{"name": "LRC", "type": "community", "role": "Outreach",
                                                  "letter": lrc.id}]


def test_a_file_id_of_another_application_cannot_be_smuggled_in(client, draft, signed_in, f):
    other = f.create_application()
    foreign = create_attachment(other)
    db.session.commit()
    client.post(f"/applications/{draft.id}/pages/budget",
                data={"_action": "save", "budget_document__current": str(foreign.id)})
    assert "budget_document" not in reload(draft).answers


def test_a_file_can_be_removed(client, draft, signed_in):
    attachment = create_attachment(draft)
    db.session.commit()
    client.post(f"/applications/{draft.id}/pages/budget",
                data={"_action": "save", "budget_document__current": str(attachment.id),
                      "budget_document__remove": "1"})
    assert "budget_document" not in reload(draft).answers


def test_downloads_are_attachments_with_the_detected_type(client, storage_backend, draft, signed_in):
    attachment = create_attachment(draft, content=PNG_BYTES, filename="Letter from ISU.png")
    db.session.commit()
    response = client.get(f"/applications/attachments/{attachment.id}")
    assert response.status_code == 200 and response.data == PNG_BYTES
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Letter from ISU.png" in response.headers["Content-Disposition"]
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.fixture
def reviewer_resolver(monkeypatch):
    """Stands in for the review domain's resolver: assigned and not conflicted."""
    assigned = set()
    monkeypatch.setitem(workflow_registry.ROLE_RESOLVERS, "reviewer",
                        lambda application, user: (application.id, user.id) in assigned)
    return assigned


@pytest.mark.parametrize("who, allowed", [
    ("member", True), ("colleague", True), ("other_applicant", False), ("admin", True),
    ("unassigned_reviewer", False), ("assigned_reviewer", True), ("anonymous", False),
])
def test_who_may_download_a_file(f, draft, applicant, reviewer_resolver, who, allowed):
    from flask_login import AnonymousUserMixin

    attachment = create_attachment(draft)
    users = {
        "member": applicant,
        "colleague": f.create_applicant(organisation=applicant.organisation),
        "other_applicant": f.create_applicant(),
        "admin": f.create_user("admin"),
        "unassigned_reviewer": f.create_user("reviewer"),
        "assigned_reviewer": f.create_user("reviewer"),
        "anonymous": AnonymousUserMixin(),
    }
    reviewer_resolver.add((draft.id, users["assigned_reviewer"].id))
    decision = can(users[who], "download", attachment)
    assert bool(decision) is allowed
    if not allowed:
        assert decision.reason


def test_an_assigned_reviewer_downloads_and_the_download_is_audited(client, f, draft, reviewer_resolver, login_as):
    from grantflow.core.models import AuditEvent

    attachment = create_attachment(draft)
    reviewer = f.create_user("reviewer")
    reviewer_resolver.add((draft.id, reviewer.id))
    login_as(reviewer)
    assert client.get(f"/applications/attachments/{attachment.id}").status_code == 200
    assert db.session.query(AuditEvent).filter_by(action="attachment.downloaded", actor_id=reviewer.id).count() == 1


def test_a_too_large_file_on_a_page_is_explained_next_to_the_field(app, client, draft, signed_in, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1024 * 1024)
    response = client.post(f"/applications/{draft.id}/pages/budget", data={
        "_action": "save", "budget_document": (io.BytesIO(PDF_BYTES + b"0" * (1024 * 1024 + 1)), "scan.pdf")},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“scan.pdf” is larger than 1 MB" in html and "choose it again" in html


def test_a_post_beyond_the_request_limit_gets_a_clear_page(app, client, draft, signed_in, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post(f"/applications/{draft.id}/pages/budget", data={
        "_action": "save", "budget_document": (io.BytesIO(PDF_BYTES + b"0" * 5000), "scan.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    assert "choose smaller files" in response.get_data(as_text=True)


def test_a_download_is_streamed_not_read_whole(client, storage_backend, draft, signed_in):
    content = PDF_BYTES + b"0" * (1024 * 1024)
    attachment = create_attachment(draft, content=content, filename="scan.pdf")
    db.session.commit()
    response = client.get(f"/applications/attachments/{attachment.id}", buffered=False)
    assert response.status_code == 200 and response.is_streamed
    assert response.content_length == len(content)
    assert b"".join(response.response) == content
    response.close()


def test_a_missing_file_is_not_found(client, storage_backend, draft, signed_in):
    attachment = create_attachment(draft)
    db.session.commit()
    storage.area("uploads").delete(upload_key(attachment.storage_name))
    assert client.get(f"/applications/attachments/{attachment.id}").status_code == 404


def test_two_web_nodes_serve_each_others_uploads(app, s3_storage, f, draft, applicant):
    """Why S3: a file uploaded through one node is downloaded through another
    that shares only the database and the bucket (its own folders are empty)."""
    from grantflow import create_app

    attachment = create_attachment(draft, content=PNG_BYTES, filename="photo.png")
    db.session.commit()
    shared = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "STORAGE", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION",
              "S3_PREFIX", "TESTING", "WTF_CSRF_ENABLED", "REDIS_URL", "MAIL_SERVER")
    elsewhere = Path(app.config["UPLOAD_DIR"]).parent / "other-node"
    other_node = create_app({**{name: app.config[name] for name in shared}, "UPLOAD_DIR": elsewhere / "uploads",
                             "LETTER_DIR": elsewhere / "letters", "EXPORT_DIR": elsewhere / "exports"})
    with other_node.test_client() as other:
        assert other.post("/login", data={"email": applicant.email, "password": PASSWORD}).status_code == 302
        response = other.get(f"/applications/attachments/{attachment.id}")
    with other_node.app_context():
        db.engine.dispose()
    assert response.status_code == 200 and response.data == PNG_BYTES
    assert not elsewhere.exists()


@pytest.mark.parametrize("filename, content, expected", [
    ("support.html", PDF_BYTES, "support.pdf"),
    ("support.PDF", PDF_BYTES, "support.PDF"),
    ("photo.svg", PNG_BYTES, "photo.png"),
    ("budget v2.1 final", PDF_BYTES, "budget v2.1 final.pdf"),
    ("budget", PDF_BYTES, "budget.pdf"),
    ("budget.pdf.exe", PDF_BYTES, "budget.pdf.pdf"),
])
def test_a_download_carries_the_extension_of_the_detected_type(client, draft, signed_in, filename, content,
                                                               expected):
    """Issue 16: a PDF named ``support.html`` downloaded as ``support.html``."""
    attachment = create_attachment(draft, content=content, filename=filename)
    db.session.commit()
    response = client.get(f"/applications/attachments/{attachment.id}")
    assert response.status_code == 200
    assert f'filename="{expected}"' in response.headers["Content-Disposition"] or \
        expected.replace(" ", "%20") in response.headers["Content-Disposition"]


def test_reviewers_never_download_report_documents(f, draft, applicant, reviewer_resolver):
    """Issue 16: the check was per application, not per kind of document."""
    from grantflow.applications.models import report_document_key

    reviewer, admin = f.create_user("reviewer"), f.create_user("admin")
    reviewer_resolver.add((draft.id, reviewer.id))
    application_file = create_attachment(draft)
    report_file = create_attachment(draft, field_key=report_document_key(7, "supporting_document"))
    assert can(reviewer, "download", application_file)
    assert not can(reviewer, "download", report_file)
    assert can(applicant, "download", report_file) and can(admin, "download", report_file)
