"""Background jobs of the awards domain: rendering (and sending) a letter.

Jobs take ids. ``core.jobs.execute`` commits what the job did, or rolls it all
back and records the error on the job row when it raises: a failed render
therefore stores no file reference, makes no offer and sends no email, and
the letters page offers to retry it."""
from __future__ import annotations

import gc
import hashlib
import logging

from flask import current_app

from ..core import outbox, storage
from ..core.db import utcnow
from ..core.mail import send_email
from ..core.pdf import load_metadata, render_pdf
from ..core.workflow import advance_as_system, lock
from ..extensions import db
from .context import letter_context
from .letters import COMMON_FOLDER, awaiting_move, letter_stylesheets, letters_root, template_dir
from .models import Letter

log = logging.getLogger(__name__)


WARM_UP_HTML = """<!doctype html><html lang="en"><head></head><body>
<header class="letterhead"><div><p class="fund-name">Fund</p><p class="funder-name">Office</p></div>
<dl class="letter-meta"><dt>Date</dt><dd>January 1, 2026</dd></dl></header>
<address class="recipient"><span>Name</span><span>Organisation</span></address>
<p class="subject"><strong>Subject</strong><br>Reference</p><h2>Heading</h2><p>Text with <em>emphasis</em>.</p>
<table class="schedule"><caption>Table</caption><thead><tr><th scope="col">A</th><th class="money">B</th></tr></thead>
<tbody><tr><td>Row</td><td class="money">$1,234.56</td></tr></tbody>
<tfoot><tr><th scope="row">Total</th><td class="money">$1,234.56</td></tr></tfoot></table>
<ol><li>Condition.</li></ol><div class="signature"><p class="signatory-name">Signatory</p></div></body></html>"""


def prepare_worker() -> None:
    """Called once by ``grantflow worker`` before it forks a process per job:
    whatever is loaded here is inherited warm by every job instead of being
    redone in each (importing WeasyPrint alone takes about 0.45 s)."""
    from sqlalchemy.orm import configure_mappers

    from ..core.pdf import PdfTemplateError, compile_template, html_to_pdf, warm_up

    warm_up()            # WeasyPrint imported, fonts and Pango initialised
    configure_mappers()  # SQLAlchemy sets up its mappers lazily, on the first query
    root = letters_root()
    folders = sorted(p for p in root.iterdir() if (p / "letter.html").is_file()) if root.is_dir() else []
    for folder in folders:
        try:
            compile_template(folder, include_dirs=[root / COMMON_FOLDER])
            # the letter's own stylesheet on typical markup: its fonts found and
            # loaded, table layout and page boxes exercised once, here
            html_to_pdf(WARM_UP_HTML, folder, stylesheets=letter_stylesheets(folder))
        except PdfTemplateError as exc:  # a broken letter fails its own jobs, never the worker
            log.warning("letter template not warmed up: %s", exc)
    current_app.jinja_env.get_template("emails/letter_sent.txt")
    # What the parent loaded is never freed: keep the garbage collector of
    # each forked job from walking (and so copying) it all again.
    gc.freeze()


def render_letter_pdf(letter: Letter) -> bytes:
    """The PDF for ``letter`` from its template folder (no side effects)."""
    folder = template_dir(letter.template_name)
    context = letter_context(letter, load_metadata(folder))
    return render_pdf(folder, context, include_dirs=[letters_root() / COMMON_FOLDER],
                      stylesheets=letter_stylesheets(folder))


def store_pdf(letter: Letter, pdf: bytes) -> None:
    """Store the file (whole or not at all) and record it; a rolled-back job takes it away again."""
    digest = hashlib.sha256(pdf).hexdigest()
    key = f"{letter.application_id}/{letter.kind}-v{letter.version}-{digest[:12]}.pdf"
    files = storage.area("letters")
    files.put_bytes(key, pdf)
    # only the committed row makes the file real: a rollback removes it now, a
    # process killed before the commit leaves an orphan that the dispatcher sweeps
    outbox.on_rollback(files.delete, key)
    letter.file_path = key
    letter.sha256 = digest
    letter.size_bytes = len(pdf)
    letter.rendered_at = utcnow()


def email_letter(letter: Letter) -> None:
    """Tell the applicant organisation's staff that a letter is waiting for them."""
    application = letter.application
    for member in application.organisation.members:
        if member.is_active:
            send_email(member.email, "letter_sent", user=member, application=application, letter=letter)


def deliver(letter: Letter) -> None:
    """Send a rendered letter: the one route by which every letter is emailed.
    A letter that a move waits for (the award letter of an awarded application)
    also makes that move (the offer, as the system), in the same transaction."""
    letter.sent_at = utcnow()
    db.session.flush()
    application = lock(letter.application)  # see core.workflow.lock
    if awaiting_move(application, letter.kind) is not None:
        advance_as_system(application, data={"letter_id": letter.id, "letter_version": letter.version})
    email_letter(letter)


def render_letter(job, letter_id: int) -> dict:
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        raise LookupError(f"letter {letter_id} no longer exists")
    if letter.is_ready:  # a retried job whose first run had in fact finished
        return {"letter_id": letter.id, "sha256": letter.sha256}
    store_pdf(letter, render_letter_pdf(letter))
    if letter.is_sending and letter.sent_at is None:
        deliver(letter)
    return {"letter_id": letter.id, "sha256": letter.sha256, "size_bytes": letter.size_bytes,
            "sent": letter.sent_at is not None}
