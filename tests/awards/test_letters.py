"""Letters: rendered in a job from editable templates, versioned, sent; a
failure is recorded, retryable and changes nothing."""
from __future__ import annotations

import io

import pypdf
import pytest
from sqlalchemy import select

from grantflow.awards import letters as letter_ops
from grantflow.cli import cli as grantflow_cli
from grantflow.awards.models import Letter
from grantflow.core import outbox, storage
from grantflow.core.models import AuditEvent, BackgroundJob, OutboxEmail
from grantflow.core.refusal import Refused
from grantflow.core.workflow import fire
from grantflow.extensions import db
from tests import factories_awards as fa


def letter_text(letter: Letter) -> str:
    reader = pypdf.PdfReader(io.BytesIO(letter_ops.read_letter(letter)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def letter_templates(app, tmp_path, monkeypatch):
    """A private copy of templates/letters this test may edit or break."""
    folder = fa.copy_letter_templates(app, tmp_path / "letters")
    monkeypatch.setitem(app.config, "LETTER_TEMPLATES_DIR", folder)
    return folder


def test_award_letter_holds_recipient_amount_dates_conditions_and_schedules(f):
    application, award, applicant, admin, letter = fa.create_offered_application()
    text = letter_text(letter)
    for expected in [
        "Local-to-Global Engagement Fund", "Office of City and State Diplomacy",        # letterhead
        "Mayor Alex Romero", "City of Des Moines", "400 Robert D. Ray Drive", "Des Moines, IA 50309",
        award.award_number, "$75,000.00",
        "July 1, 2026 to June 30, 2027",                                                 # period
        "Acknowledge the Office of City and State Diplomacy in public materials.",       # conditions
        "Share the project's results with the Local-to-Global practitioners' network.",
        "Heartland Community Foundation $15,000.00",                                     # co-funder
        "First payment On acceptance of the award 50% $37,500.00",                       # payment schedule
        "Second payment After the interim report is accepted 40% $30,000.00",
        "Final payment After the final report is accepted 10% $7,500.00",
        "Interim report 1", "January 1, 2027",                                           # reporting schedule
        "Final report", "October 28, 2027",                                              # 120 days after the end
    ]:
        assert expected in text, expected
    # every page's footer numbers it against the real page count (two pages with
    # the Liberation fonts the letter names; more if the machine lacks them)
    pages = len(pypdf.PdfReader(io.BytesIO(letter_ops.read_letter(letter))).pages)
    assert pages >= 2 and all(f"Page {n} of {pages}" in text for n in range(1, pages + 1))
    assert letter.size_bytes == len(letter_ops.read_letter(letter))
    import hashlib
    assert letter.sha256 == hashlib.sha256(letter_ops.read_letter(letter)).hexdigest()


def test_sending_the_award_letter_makes_the_offer_and_emails_a_link(f):
    application, award, applicant, admin, letter = fa.create_offered_application()
    assert application.state == "award_offered"
    assert letter.sent_at is not None and letter.job.status == "done"
    [email] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == applicant.email)).all()
    assert email.subject.startswith("Your award offer")
    assert f"/letters/{letter.id}/download" in email.body_text
    assert f"/awards/{application.id}" in email.body_text
    offer = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "workflow.offer_award"))
    assert offer.actor_id is None and offer.data["letter_id"] == letter.id  # the system made the offer


def test_an_offer_made_by_hand_sends_the_rendered_letter_by_the_same_route_once(f):
    application, _, applicant, admin = fa.create_awarded_application()
    letter = letter_ops.request_letter(application, "award", admin)  # rendered, not sent
    outbox.commit()
    fire(application, "offer_award", admin)
    outbox.commit()
    db.session.refresh(letter)
    [email] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == applicant.email)).all()
    assert email.subject.startswith("Your award offer") and f"/letters/{letter.id}/download" in email.body_text
    assert letter.sent_at is not None


def test_offer_needs_a_rendered_letter(f):
    application, _, _, admin = fa.create_awarded_application()
    from grantflow.core.workflow import may

    decision = may(application, "offer_award", admin)
    assert not decision and "not been rendered" in decision.reason


def test_rendering_again_makes_a_new_version_and_keeps_the_history(f):
    application, _, _, admin, first = fa.create_offered_application()
    second = letter_ops.request_letter(application, "award", admin)
    outbox.commit()
    db.session.refresh(second)
    assert (first.version, second.version) == (1, 2)
    assert second.status == "ready" and second.sent_at is None  # a new draft is not sent
    assert letter_ops.read_letter(first) and letter_ops.read_letter(second)
    assert first.file_path != second.file_path
    applicant_view = letter_ops.letters_for(application, application.created_by)
    assert [letter.version for letter in applicant_view] == [1]


@pytest.mark.parametrize("own_css, page_size", [
    (None, (612, 792)),                        # the shared stylesheet: US Letter
    ("@page { size: A4; }", (595, 842)),       # the letter's own letter.css overrides it
])
def test_letters_share_one_stylesheet_that_a_letter_may_override(f, letter_templates, own_css, page_size):
    assert [p.parent.name for p in letter_templates.glob("*/letter.css")] == ["_common"]  # one shared copy
    if own_css:
        (letter_templates / "decline" / "letter.css").write_text(own_css)
    application = f.create_application(state="reviews_complete")
    letter = letter_ops.request_letter(application, "decline", fa.create_admin())
    outbox.commit()
    db.session.refresh(letter)
    pages = pypdf.PdfReader(io.BytesIO(letter_ops.read_letter(letter))).pages
    assert tuple(round(float(v)) for v in pages[0].mediabox[2:]) == page_size
    assert f"Page 1 of {len(pages)}" in letter_text(letter)  # the shared footer either way


def test_a_broken_template_is_a_recorded_retryable_failure_that_changes_nothing(f, letter_templates):
    application, _, applicant, admin = fa.create_awarded_application()
    outbox.commit()
    good = (letter_templates / "award" / "letter.html").read_text()
    (letter_templates / "award" / "letter.html").write_text(good.replace("{{ award.amount }}", "{{ award.amount }",
                                                                         1))
    letter = letter_ops.send_award_letter(application, admin)
    outbox.commit()
    db.session.expire_all()
    assert letter.status == "failed"
    assert "TemplateSyntaxError" in letter.error and "letter.html" in letter.error
    assert letter.job.attempts == 1
    assert application.state == "awarded"                                # no state change
    assert letter.sha256 is None and letter.sent_at is None
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == applicant.email)) is None
    letter.job.status = "queued"  # while a letter is queued, a second "send" is refused
    with pytest.raises(Refused, match="already being prepared"):
        letter_ops.send_award_letter(application, admin)
    db.session.rollback()

    (letter_templates / "award" / "letter.html").write_text(good)        # the administrator fixes it
    letter_ops.retry_letter(letter, admin)
    outbox.commit()
    db.session.expire_all()
    assert letter.status == "ready" and letter.job.attempts == 2 and letter.version == 1
    assert application.state == "award_offered"
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "letter.retried")) is not None


def test_a_template_reaching_for_internals_or_files_fails_without_state_change(f, letter_templates):
    application, _, _, admin = fa.create_awarded_application()
    outbox.commit()
    path = letter_templates / "award" / "letter.html"
    path.write_text(path.read_text().replace("<body>", '<body><img src="file:///etc/passwd">'
                                                       "{{ ''.__class__.__mro__ }}"))
    letter = letter_ops.send_award_letter(application, admin)
    outbox.commit()
    db.session.expire_all()
    assert letter.status == "failed" and "SecurityError" in letter.error
    assert application.state == "awarded"


def test_only_a_failed_letter_can_be_retried(f):
    _, _, _, admin, letter = fa.create_offered_application()
    with pytest.raises(Refused):
        letter_ops.retry_letter(letter, admin)


def test_decline_and_waitlist_send_their_letters(f):
    admin = fa.create_admin()
    organisation, applicant = fa.create_applicant_pair()
    declined = f.create_application(organisation=organisation, state="reviews_complete", created_by=applicant)
    waitlisted = f.create_application(organisation=organisation, state="reviews_complete", created_by=applicant)
    fire(declined, "decline", admin)
    fire(waitlisted, "waitlist", admin, comment="You are first on the list.")
    outbox.commit()
    decline_letter = db.session.scalar(select(Letter).where(Letter.application_id == declined.id))
    waitlist_letter = db.session.scalar(select(Letter).where(Letter.application_id == waitlisted.id))
    assert (decline_letter.kind, decline_letter.status) == ("decline", "ready") and decline_letter.sent_at
    assert (waitlist_letter.kind, waitlist_letter.status) == ("waitlist", "ready")
    assert "not able to fund your application" in letter_text(decline_letter)
    assert "You are first on the list." in letter_text(waitlist_letter)
    subjects = sorted(e.subject for e in db.session.scalars(select(OutboxEmail)))
    assert len(subjects) == 2 and all(s.startswith("The decision on your application") for s in subjects)


def test_closeout_letter(f):
    application, award, applicant, admin, _ = fa.create_offered_application()
    letter = letter_ops.request_letter(application, "closeout", admin, send=True)
    outbox.commit()
    db.session.refresh(letter)
    assert letter.status == "ready" and letter.sent_at is not None
    assert "Closeout of award " + award.award_number in letter_text(letter)


def round_with_decisions(f, admin, count=2):
    round_ = f.create_round()
    awarded = [fa.create_awarded_application(admin=admin, round_=round_)[0] for _ in range(count)]
    declined = f.create_application(round_=round_, state="declined")
    waitlisted = f.create_application(round_=round_, state="waitlisted")
    f.create_application(round_=round_, state="in_review")  # undecided: no letter
    outbox.commit()
    return round_, awarded, declined, waitlisted


def test_a_round_batch_renders_every_decision_letter_and_offers_the_awards(f):
    admin = fa.create_admin()
    round_, awarded, declined, waitlisted = round_with_decisions(f, admin)
    batch = letter_ops.start_round_letters(round_, admin, send=True)
    outbox.commit()
    progress = letter_ops.batch_progress(batch)
    assert progress == {"ready": 4, "failed": 0, "pending": 0, "total": 4, "finished": 4, "percent": 100,
                        "is_finished": True}
    assert sorted(letter.kind for letter in batch.letters) == ["award", "award", "decline", "waitlist"]
    assert all(a.state == "award_offered" for a in awarded)
    assert declined.state == "declined"


def test_batch_progress_counts_failures(f, letter_templates):
    admin = fa.create_admin()
    round_, awarded, _, _ = round_with_decisions(f, admin)
    (letter_templates / "decline" / "letter.html").write_text("{{ missing_value }}")
    batch = letter_ops.start_round_letters(round_, admin, send=True)
    outbox.commit()
    progress = letter_ops.batch_progress(batch)
    assert (progress["ready"], progress["failed"], progress["is_finished"]) == (3, 1, True)


def test_cli_renders_one_letter(f, runner, tmp_path, storage_backend):
    application, _, _, _ = fa.create_awarded_application()
    outbox.commit()
    out = tmp_path / "award.pdf"
    result = runner.invoke(grantflow_cli, args=["letters", "render", str(application.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "award letter v1" in result.output
    assert "$75,000.00" in pypdf.PdfReader(out).pages[0].extract_text()
    db.session.expire_all()
    assert application.state == "awarded"  # rendering alone sends nothing


def test_a_letter_stored_by_a_job_that_then_fails_is_taken_away_again(f, storage_backend, monkeypatch):
    """Sending can fail after the PDF is stored (here the offer itself): the
    job rolls back, and no file is left that no letter refers to."""
    from grantflow.awards import tasks

    application, _, _, admin = fa.create_awarded_application()
    outbox.commit()
    stored = []
    real_store = tasks.store_pdf

    def store_then_remember(letter, pdf):
        real_store(letter, pdf)
        stored.append(letter.file_path)

    def fail(letter):
        raise LookupError("the offer could not be made")

    monkeypatch.setattr(tasks, "store_pdf", store_then_remember)
    monkeypatch.setattr(tasks, "deliver", fail)
    letter = letter_ops.send_award_letter(application, admin)
    outbox.commit()
    db.session.expire_all()
    assert letter.status == "failed" and "the offer could not be made" in letter.error and letter.file_path is None
    assert len(stored) == 1 and not storage.area("letters").exists(stored[0])
    assert list(storage.area("letters").list()) == []


def test_cli_reports_a_failure(f, runner, tmp_path, letter_templates):
    application, _, _, _ = fa.create_awarded_application()
    outbox.commit()
    (letter_templates / "award" / "letter.html").write_text("{% if %}")
    result = runner.invoke(grantflow_cli,
                           args=["letters", "render", str(application.id), "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "could not be rendered" in result.output
    assert db.session.scalar(select(BackgroundJob.status)) == "failed"


def test_cli_renders_a_round(f, runner):
    admin = fa.create_admin()
    round_, awarded, _, _ = round_with_decisions(f, admin)
    result = runner.invoke(grantflow_cli, args=["letters", "round", str(round_.id), "--send"])
    assert result.exit_code == 0, result.output
    assert "4 rendered, 0 failed" in result.output
    db.session.expire_all()
    assert all(a.state == "award_offered" for a in awarded)


def test_cli_unknown_ids(runner, tmp_path):
    assert "no application 999" in runner.invoke(
        grantflow_cli, args=["letters", "render", "999", "--out", str(tmp_path / "x.pdf")]).output
    assert "no round 999" in runner.invoke(grantflow_cli, args=["letters", "round", "999"]).output


def test_worker_warm_up_survives_a_broken_letter(letter_templates):
    import gc

    from grantflow.awards.tasks import prepare_worker

    (letter_templates / "waitlist" / "letter.html").write_text("{% if %}")
    try:
        prepare_worker()  # logs the broken template; the worker still starts
    finally:
        gc.unfreeze()
