"""Verbs on generated letters: request one, send the award letter, render a
round's decision letters, retry a failure. Rendering itself happens in a job
(``tasks.render_letter``); these functions only create rows and enqueue.

A ``Letter`` row is one version. Asking again makes a new version and keeps
the old ones. The job's status is the letter's status, so a failure is
recorded once (on the job, with its error) and retried by re-running that job.
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from ..core import jobs, storage
from ..core.audit import record_event
from ..core.models import BackgroundJob
from ..core.pdf import load_metadata
from ..core.refusal import Refused
from ..core.workflow import meaning
from ..core.workflow.engine import ConcurrentChange, definition_for, holds_role
from ..extensions import db
from .models import Award, Letter, LetterBatch

RENDER_TASK = "grantflow.awards.tasks.render_letter"
COMMON_FOLDER = "_common"
STYLESHEET = "letter.css"
#: the guard of the move that waits for its letter to be rendered (the award offer)
LETTER_READY_GUARD = "award_letter_ready"


def kind_label(kind: str) -> str:
    """“award letter”: the ``title`` of the letter's ``metadata.yaml``."""
    try:
        title = load_metadata(letters_root() / kind).get("title")
    except Exception:  # noqa: BLE001 - a label never breaks a page; the checks report the broken file
        title = None
    return str(title or f"{kind.replace('_', ' ')} letter").lower()


def letter_kinds(application) -> list[str]:
    """The letters the application's workflow sends, in the order of its file."""
    return list(dict.fromkeys(definition_for(application).letters.values()))


def award_letter_kind(application) -> str | None:
    """The letter the award offer sends: the letter of the move that waits for it."""
    definition = definition_for(application)
    for transition in definition.transitions:
        if LETTER_READY_GUARD in transition.guards:
            return definition.letter_of(transition)
    return None


def awaiting_move(application, kind: str):
    """The move out of the current state that waits for this letter (the offer), if any."""
    transition = meaning.move(application, guard=LETTER_READY_GUARD)
    return transition if transition and definition_for(application).letter_of(transition) == kind else None


def letters_root() -> Path:
    """``templates/letters`` (``LETTER_TEMPLATES_DIR`` may point elsewhere, as tests do)."""
    configured = current_app.config.get("LETTER_TEMPLATES_DIR")
    return Path(configured) if configured else Path(current_app.config["TEMPLATES_DIR"]) / "letters"


def template_name_for(fund, kind: str) -> str:
    """A fund may point a kind at another folder: ``settings["letter_templates"]["award"]``."""
    return ((fund.settings or {}).get("letter_templates") or {}).get(kind, kind)


def letter_stylesheets(folder: Path) -> list[Path]:
    """The shared ``_common/letter.css``, then the letter's own ``letter.css`` (if
    it has one), which overrides it."""
    return [path for path in (letters_root() / COMMON_FOLDER / STYLESHEET, folder / STYLESHEET) if path.is_file()]


def template_dir(name: str) -> Path:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name or ""):
        raise Refused(f"“{name}” is not a valid letter template name.")
    return letters_root() / name


def read_letter(letter: Letter) -> bytes | None:
    """The rendered PDF from the ``letters`` storage area, or None when it is gone."""
    try:
        return storage.area("letters").read_bytes(letter.file_path)
    except FileNotFoundError:
        return None


def referenced_letter_keys(keys: list[str]) -> set[str]:
    return set(db.session.scalars(select(Letter.file_path).where(Letter.file_path.in_(keys))))


storage.REFERENCED_BY["letters"].append(referenced_letter_keys)


def _next_version(application, kind: str) -> int:
    current = db.session.scalar(select(func.max(Letter.version)).where(
        Letter.application_id == application.id, Letter.kind == kind))
    return (current or 0) + 1


def request_letter(application, kind: str, actor, *, send: bool = False, batch: LetterBatch | None = None,
                   dispatch: bool = True) -> Letter:
    """A new version of ``kind`` for ``application``, rendered by a job after the
    commit (``dispatch=False``: the caller runs the job itself, as the CLI does)."""
    if kind not in letter_kinds(application):
        raise Refused(f"The workflow of this application sends no “{kind}” letter.")
    if kind == award_letter_kind(application) and db.session.scalar(select(Award.id).where(Award.application_id == application.id)) is None:
        raise Refused("Record the award terms before preparing the award letter.")
    version, template_name = _next_version(application, kind), template_name_for(application.round.fund, kind)
    try:
        # two people asking at once both read the same latest version: the
        # second insert breaks the unique (application, kind, version) key.
        # The letter is made inside the savepoint: begin_nested() flushes, and a
        # letter already in application.letters but not yet added would be skipped.
        with db.session.begin_nested():
            letter = Letter(application=application, kind=kind, version=version, template_name=template_name,
                            is_sending=send, created_by=actor, batch=batch)
            db.session.add(letter)
    except IntegrityError:
        raise ConcurrentChange("Someone else prepared a new version of this letter at the same moment. "
                               "Reload the page to see it.") from None
    if dispatch:
        letter.job = jobs.enqueue(RENDER_TASK, actor=actor, letter_id=letter.id)
    else:
        letter.job = BackgroundJob(task=RENDER_TASK, args={"letter_id": letter.id},
                                   created_by_id=getattr(actor, "id", None))
        db.session.add(letter.job)
    db.session.flush()
    record_event(actor=actor, action="letter.requested", subject=letter, application=application,
                 comment=f"{kind_label(kind).capitalize()} version {letter.version} requested"
                         + (" (to be sent once rendered)." if send else "."),
                 data={"letter_id": letter.id, "kind": kind, "version": letter.version, "send": send})
    return letter


def preview_pdf(application, kind: str) -> bytes:
    """The letter ``kind`` as it would be rendered now, for checking before it is
    sent: nothing is stored, sent or audited (the next version's number is shown)."""
    from types import SimpleNamespace

    from .tasks import render_letter_pdf

    if kind not in letter_kinds(application):
        raise Refused(f"The workflow of this application sends no “{kind}” letter.")
    if kind == award_letter_kind(application) and db.session.scalar(
            select(Award.id).where(Award.application_id == application.id)) is None:
        raise Refused("Record the award terms before previewing the award letter.")
    draft = SimpleNamespace(application=application, application_id=application.id, kind=kind,
                            version=_next_version(application, kind),
                            template_name=template_name_for(application.round.fund, kind))
    return render_letter_pdf(draft)


def pending_letter(application, kind: str) -> Letter | None:
    """A version still queued or rendering (failed and stalled ones do not count)."""
    rows = db.session.scalars(select(Letter).join(BackgroundJob, Letter.job_id == BackgroundJob.id).where(
        Letter.application_id == application.id, Letter.kind == kind, Letter.sha256.is_(None),
        BackgroundJob.status.in_(("queued", "running")))).all()
    # a version whose worker died does not block sending again
    rows = [letter for letter in rows if letter.status == "pending"]
    return rows[0] if rows else None


def send_award_letter(application, actor) -> Letter:
    """Render the award letter; once it is rendered the job makes the offer
    (``offer_award``, as the system). A failed render changes nothing and is
    retried from the letters page."""
    if not holds_role(application, actor, "admin"):
        raise Refused("Only fund administrators can send award letters.")
    kind = award_letter_kind(application)
    if kind is None or awaiting_move(application, kind) is None:
        raise Refused(f"The award letter is sent once the application is awarded; it is "
                      f"“{application.state_label}”.")
    if pending_letter(application, kind) is not None:
        raise Refused("The award letter is already being prepared: it is sent as soon as it is rendered.")
    return request_letter(application, kind, actor, send=True)


def retry_letter(letter: Letter, actor) -> Letter:
    if letter.status not in ("failed", "stalled"):
        raise Refused("Only a letter whose rendering failed or stalled can be retried.")
    jobs.retry(letter.job)
    record_event(actor=actor, action="letter.retried", subject=letter, application=letter.application,
                 comment=f"{kind_label(letter.kind).capitalize()} version {letter.version}: rendering retried.",
                 data={"letter_id": letter.id, "job_id": letter.job_id})
    return letter


def decision_letter_kind(application) -> str | None:
    """The decision letter a round batch renders for this application, if any:
    the letter of the move that brought it to its decision, or of the move that
    waits for its letter (an award not yet offered)."""
    if not meaning.is_in(application, *meaning.DECISION_STAGES):
        return None
    definition = definition_for(application)
    for transition in definition.transitions:
        if transition.dest == application.state and definition.letter_of(transition):
            return definition.letter_of(transition)
    waiting = meaning.move(application, guard=LETTER_READY_GUARD)
    return definition.letter_of(waiting) if waiting else None


def round_letter_plan(round_) -> list[tuple[object, str]]:
    from ..applications.models import Application

    applications = db.session.scalars(select(Application).where(
        Application.round_id == round_.id, meaning.in_stages(Application, *meaning.DECISION_STAGES))
        .order_by(Application.id)).all()
    return [(a, kind) for a in applications if (kind := decision_letter_kind(a))]


def _already_sent(application, kind: str) -> bool:
    return db.session.scalar(select(Letter.id).where(Letter.application_id == application.id, Letter.kind == kind,
                                                     Letter.sent_at.is_not(None)).limit(1)) is not None


def start_round_letters(round_, actor, *, send: bool = False, dispatch: bool = True) -> LetterBatch:
    """One new letter version for every decided application of the round. With
    ``send``, awarded applications are offered once their letter is rendered,
    and decline and waiting-list letters not sent before are emailed."""
    if actor is not None and not actor.has_role("admin"):
        raise Refused("Only fund administrators can render a round's letters.")
    plan = round_letter_plan(round_)
    if not plan:
        raise Refused("No application of this round has a decision yet, so there are no letters to render.")
    batch = LetterBatch(round=round_, created_by=actor, is_sending=send)
    db.session.add(batch)
    db.session.flush()
    for application, kind in plan:
        # an award not yet offered is offered; a letter never sent is sent
        sending = send and (awaiting_move(application, kind) is not None or not _already_sent(application, kind))
        request_letter(application, kind, actor, send=sending, batch=batch, dispatch=dispatch)
    record_event(actor=actor, action="letter.batch_started", subject=batch,
                 comment=f"Decision letters for {round_.name}: {len(plan)} requested"
                         + (" and to be sent." if send else "."),
                 data={"round_id": round_.id, "count": len(plan), "send": send})
    return batch


def batch_progress(batch: LetterBatch) -> dict:
    """Counts by status, from the letters' jobs (one grouped query)."""
    rows = db.session.execute(
        select(BackgroundJob.status, Letter.sha256.is_not(None), func.count())
        .select_from(Letter).join(BackgroundJob, Letter.job_id == BackgroundJob.id)
        .where(Letter.batch_id == batch.id).group_by(BackgroundJob.status, Letter.sha256.is_not(None))).all()
    counts = {"ready": 0, "failed": 0, "pending": 0}
    for status, rendered, count in rows:
        key = "ready" if rendered else "failed" if status == "failed" else "pending"
        counts[key] += count
    counts["total"] = sum(counts.values())
    counts["finished"] = counts["ready"] + counts["failed"]
    counts["percent"] = int(100 * counts["finished"] / counts["total"]) if counts["total"] else 100
    counts["is_finished"] = counts["finished"] == counts["total"]
    return counts


def failed_letters(batch: LetterBatch) -> list[Letter]:
    """The batch's letters whose job failed or whose worker died (both offer Retry)."""
    rows = db.session.scalars(
        select(Letter).join(BackgroundJob, Letter.job_id == BackgroundJob.id)
        .where(Letter.batch_id == batch.id, Letter.sha256.is_(None), BackgroundJob.status.in_(("failed", "running")))
        .options(contains_eager(Letter.job), selectinload(Letter.application)).order_by(Letter.id))
    return [letter for letter in rows if letter.status in ("failed", "stalled")]


def letters_for(application, user) -> list[Letter]:
    """Staff see every version; the applicant sees the letters sent to them."""
    query = select(Letter).where(Letter.application_id == application.id).options(selectinload(Letter.job))
    if not (user is not None and user.has_role("admin")):
        query = query.where(Letter.sent_at.is_not(None))
    return list(db.session.scalars(query.order_by(Letter.kind, Letter.version.desc())))


def latest_sent_letter(application, kind: str) -> Letter | None:
    return db.session.scalar(select(Letter).where(
        Letter.application_id == application.id, Letter.kind == kind, Letter.sent_at.is_not(None))
        .order_by(Letter.version.desc()).limit(1))
