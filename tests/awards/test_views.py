"""The award pages: terms form (errors next to fields, nothing lost), letters,
batches, the applicant's offer page, acceptance and download."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from grantflow.awards import letters as letter_ops
from grantflow.awards.context import _award_values
from grantflow.awards.models import Award, Letter
from grantflow.core import storage
from grantflow.core.models import BackgroundJob
from grantflow.extensions import db
from tests import factories_awards as fa

TERMS_FORM = {
    "amount": "75,000", "override_reason": "", "period_start": "2026-07-01", "period_end": "2027-06-30",
    "conditions": "Acknowledge the Office in public materials.\n\nShare results with the network.",
    "co_funders-0-name": "Heartland Community Foundation", "co_funders-0-amount": "$15,000.00",
    "tranches-0-label": "First payment", "tranches-0-release_on": "acceptance", "tranches-0-percent": "50",
    "tranches-1-label": "Second payment", "tranches-1-release_on": "interim_report", "tranches-1-percent": "40",
    "tranches-2-label": "Final payment", "tranches-2-release_on": "final_report", "tranches-2-percent": "10",
}


def test_the_form_is_prefilled_from_the_request_and_the_fund_defaults(f, client, login_as):
    admin = fa.create_admin()
    application = f.create_application(state="reviews_complete", amount_requested_cents=8_000_000,
                                       answers={"project_start": "2026-09-01", "project_end": "2027-08-31"})
    login_as(admin)
    page = client.get(f"/applications/{application.id}/award").get_data(as_text=True)
    assert 'value="80,000.00"' in page
    assert 'value="2026-09-01"' in page and 'value="2027-08-31"' in page
    assert 'value="First payment"' in page and 'value="50"' in page and 'value="40"' in page


def test_recording_terms_in_the_browser_awards(f, client, login_as):
    admin = fa.create_admin()
    application = f.create_application(state="reviews_complete", amount_requested_cents=8_000_000)
    login_as(admin)
    response = client.post(f"/applications/{application.id}/award", data=TERMS_FORM)
    assert response.status_code == 302 and response.location.endswith(f"/admin/awards/{application.id}")
    db.session.expire_all()
    award = db.session.scalar(select(Award))
    assert application.state == "awarded" and award.amount_cents == 7_500_000
    assert [s.amount_cents for s in award.funding_sources] == [6_000_000, 1_500_000]
    page = client.get(response.location).get_data(as_text=True)
    assert award.award_number in page and "Send award letter" in page


def test_errors_are_shown_next_to_their_fields_and_nothing_typed_is_lost(f, client, login_as):
    admin = fa.create_admin()
    application = f.create_application(state="reviews_complete", amount_requested_cents=8_000_000)
    login_as(admin)
    data = {**TERMS_FORM, "amount": "90,000", "tranches-2-percent": "5", "co_funders-1-amount": "abc",
            "tranches-3-label": "Bonus", "tranches-3-release_on": "date", "tranches-3-percent": "5"}
    response = client.post(f"/applications/{application.id}/award", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#co_funders-1-name"' in page                       # a share without a name
    assert "Enter an amount in US dollars" in page                   # "abc"
    assert "enter the date" in page                                  # released on a date without one
    assert 'value="90,000"' in page and 'value="Bonus"' in page     # what was typed comes back
    assert "Acknowledge the Office in public materials." in page
    db.session.expire_all()
    assert application.state == "reviews_complete" and db.session.scalar(select(Award)) is None


def test_an_operation_refusal_lands_on_its_field(f, client, login_as):
    admin = fa.create_admin()
    application = f.create_application(state="reviews_complete", amount_requested_cents=8_000_000)
    login_as(admin)
    page = client.post(f"/applications/{application.id}/award",
                       data={**TERMS_FORM, "amount": "90,000"}).get_data(as_text=True)
    assert re.search(r'id="override_reason-error".*more than the \$80,000.00 requested', page, re.S)
    page = client.post(f"/applications/{application.id}/award",
                       data={**TERMS_FORM, "tranches-2-percent": "5"}).get_data(as_text=True)
    assert "95%, not 100%" in page


def test_a_stale_terms_form_is_refused_not_applied(f, client, login_as):
    application, award, _, admin = fa.create_awarded_application()
    login_as(admin)
    page = client.get(f"/applications/{application.id}/award").get_data(as_text=True)
    shown_version = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    first = client.post(f"/applications/{application.id}/award",
                        data={**TERMS_FORM, "amount": "70,000", "version": shown_version})
    assert first.status_code == 302
    second = client.post(f"/applications/{application.id}/award",  # another admin's older form
                         data={**TERMS_FORM, "amount": "60,000", "version": shown_version})
    assert second.status_code == 409 and "changed while you were looking" in second.get_data(as_text=True)
    db.session.expire_all()
    assert award.amount_cents == 7_000_000


def test_an_application_in_the_wrong_state_cannot_be_awarded(f, client, login_as):
    admin = fa.create_admin()
    application = f.create_application(state="draft")
    login_as(admin)
    assert client.get(f"/applications/{application.id}/award").status_code == 409


def test_send_award_letter_from_the_manage_page(f, client, login_as):
    application, award, applicant, admin = fa.create_awarded_application()
    login_as(admin)
    response = client.post(f"/admin/awards/{application.id}/send")
    assert response.status_code == 302
    db.session.expire_all()
    assert application.state == "award_offered"
    page = client.get(f"/admin/awards/{application.id}").get_data(as_text=True)
    assert "Ready" in page and "Download" in page
    assert client.post(f"/admin/awards/{application.id}/send").status_code == 409  # already offered


def test_two_people_preparing_the_same_letter_at_once_get_a_clear_refusal(f, client, login_as, monkeypatch):
    application, award, _, admin = fa.create_awarded_application()
    login_as(admin)
    assert client.post(f"/admin/awards/{application.id}/letters", data={"kind": "award"}).status_code == 302
    # the second request read the latest version before the first committed
    monkeypatch.setattr(letter_ops, "_next_version", lambda application, kind: 1)
    response = client.post(f"/admin/awards/{application.id}/letters", data={"kind": "award"})
    assert response.status_code == 409
    assert "Someone else prepared a new version of this letter" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [v for (v,) in db.session.execute(select(Letter.version).where(Letter.application_id == application.id))
            ] == [1]


def test_failed_letter_shows_its_error_and_a_retry_button(f, client, login_as):
    application, award, _, admin = fa.create_awarded_application()
    letter = fa.create_letter_directly(application, failed=True)
    login_as(admin)
    page = client.get(f"/admin/awards/{application.id}").get_data(as_text=True)
    assert "Failed" in page and "letter.html (line 3): boom" in page
    assert f"/letters/{letter.id}/retry" in page


def test_batch_page_refreshes_until_finished(f, client, login_as):
    admin = fa.create_admin()
    application = f.create_application(state="declined")
    batch_letter = fa.create_letter_directly(application, kind="decline", failed=True)
    from grantflow.awards.models import LetterBatch

    batch = LetterBatch(round=application.round, created_by=admin)
    db.session.add(batch)
    batch_letter.batch = batch
    pending = Letter(application=application, kind="decline", version=2, template_name="decline", batch=batch,
                     job=BackgroundJob(task=letter_ops.RENDER_TASK, status="queued"))
    db.session.add(pending)
    login_as(admin)
    response = client.get(f"/admin/letter-batches/{batch.id}")
    page = response.get_data(as_text=True)
    assert response.headers["Refresh"] == "3"
    assert "1 of 2 letters finished" in page and "Stop reloading" in page and "Retry all 1 failed" in page
    assert "Refresh" not in client.get(f"/admin/letter-batches/{batch.id}?refresh=off").headers
    db.session.delete(pending)
    db.session.commit()
    assert "Refresh" not in client.get(f"/admin/letter-batches/{batch.id}").headers


def test_round_letters_page_starts_a_batch(f, client, login_as):
    admin = fa.create_admin()
    application, _, _, _ = fa.create_awarded_application(admin=admin)
    login_as(admin)
    page = client.get(f"/admin/rounds/{application.round_id}/letters").get_data(as_text=True)
    assert "1 award letter" in page
    response = client.post(f"/admin/rounds/{application.round_id}/letters", data={"send": "y"})
    assert response.status_code == 302 and "/admin/letter-batches/" in response.location
    db.session.expire_all()
    assert application.state == "award_offered"
    page = client.get(response.location).get_data(as_text=True)
    assert "1 of 1 letters finished" in page


def test_applicant_sees_terms_downloads_and_accepts(f, client, login_as, storage_backend):
    application, award, applicant, admin, letter = fa.create_offered_application()
    login_as(applicant)
    page = client.get(f"/awards/{application.id}").get_data(as_text=True)
    for expected in (award.award_number, "$75,000.00", "July 1, 2026", "Acknowledge the Office",
                     "Heartland Community Foundation", "Interim report 1", "Accept the award"):
        assert expected in page
    download = client.get(f"/letters/{letter.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF") and "attachment" in download.headers["Content-Disposition"]
    assert hashlib.sha256(download.data).hexdigest() == letter.sha256
    assert [o.key for o in storage.area("letters").list()] == [letter.file_path]
    wrong = client.post(f"/awards/{application.id}/accept", data={"typed_name": "Someone Else"})
    assert wrong.status_code == 422 and "the name on your account" in wrong.get_data(as_text=True)
    accepted = client.post(f"/awards/{application.id}/accept", data={"typed_name": "Dana Whitfield"},
                           environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert accepted.status_code == 302
    db.session.expire_all()
    assert application.state == "active" and award.accepted_ip == "198.51.100.7"
    assert award.tranches[0].status == "due"
    page = client.get(f"/awards/{application.id}").get_data(as_text=True)
    assert "You accepted this award" in page and "Accept the award</button>" not in page


def test_applicant_declines_with_confirmation(f, client, login_as):
    application, award, applicant, admin, letter = fa.create_offered_application()
    login_as(applicant)
    unconfirmed = client.post(f"/awards/{application.id}/decline", data={"comment": "No match funds."})
    assert "Tick the box" in unconfirmed.get_data(as_text=True)
    db.session.expire_all()
    assert application.state == "award_offered"
    confirmed = client.post(f"/awards/{application.id}/decline", data={"confirm": "y", "comment": "No match."})
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert application.state == "offer_declined"


def test_applicant_never_sees_unsent_letters_or_the_terms_before_the_offer(f, client, login_as):
    application, award, applicant, admin = fa.create_awarded_application()
    draft = fa.create_letter_directly(application, sent=False)
    login_as(applicant)
    assert client.get(f"/letters/{draft.id}/download").status_code == 404
    assert client.get(f"/awards/{application.id}").status_code == 404
    login_as(admin)
    assert client.get(f"/letters/{draft.id}/download").status_code == 200


def test_the_applicant_lists_the_letters_sent_to_them(f, client, login_as):
    admin = fa.create_admin()
    organisation, applicant = fa.create_applicant_pair()
    application = f.create_application(organisation=organisation, state="declined")
    sent = fa.create_letter_directly(application, kind="decline")
    draft = fa.create_letter_directly(application, kind="decline", sent=False)
    login_as(applicant)
    page = client.get(f"/applications/{application.id}/letters").get_data(as_text=True)
    assert f"/letters/{sent.id}/download" in page and f"/letters/{draft.id}/download" not in page
    login_as(admin)
    page = client.get(f"/applications/{application.id}/letters").get_data(as_text=True)
    assert f"/letters/{sent.id}/download" in page and f"/letters/{draft.id}/download" in page


def test_an_altered_file_is_not_served(f, client, login_as, storage_backend):
    application, award, applicant, admin, letter = fa.create_offered_application()
    storage.area("letters").put_bytes(letter.file_path, b"%PDF-1.4 tampered")
    login_as(applicant)
    response = client.get(f"/letters/{letter.id}/download")
    assert response.status_code == 409 and "checksum" in response.get_data(as_text=True)


@pytest.mark.parametrize("line_ending", ["\n", "\r\n"])
def test_conditions_typed_as_paragraphs_print_one_item_each(f, client, login_as, line_ending):
    """Browsers send a textarea's line breaks as \\r\\n: each blank-line-separated
    paragraph is still its own numbered condition, on the page and in the letter."""
    admin = fa.create_admin()
    application = f.create_application(state="reviews_complete", amount_requested_cents=8_000_000)
    login_as(admin)
    conditions = line_ending.join(["Acknowledge the Office", "in public materials.", "",
                                   "Share results with the network.", "  ", "Report on time."])
    response = client.post(f"/applications/{application.id}/award", data={**TERMS_FORM, "conditions": conditions})
    assert response.status_code == 302
    award = db.session.scalar(select(Award))
    expected = ["Acknowledge the Office in public materials.", "Share results with the network.",
                "Report on time."]
    assert award.condition_paragraphs == expected
    assert _award_values(award)["conditions"] == expected
    page = client.get(response.location).get_data(as_text=True)
    items = re.findall(r"<li>([^<]*)</li>", page.split('class="conditions"')[1].split("</ol>")[0])
    assert items == expected


def test_the_letter_preview_is_the_pdf_and_nothing_is_stored_or_sent(f, client, login_as):
    from grantflow.core.models import OutboxEmail

    application, award, applicant, admin = fa.create_awarded_application()
    db.session.commit()
    emails = db.session.scalar(select(db.func.count()).select_from(OutboxEmail))
    login_as(admin)
    manage = client.get(f"/admin/awards/{application.id}").get_data(as_text=True)
    assert f'href="/admin/awards/{application.id}/letters/award/preview"' in manage
    response = client.get(f"/admin/awards/{application.id}/letters/award/preview")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and "inline" in response.headers["Content-Disposition"]
    assert db.session.scalar(select(db.func.count()).select_from(Letter)) == 0
    assert db.session.scalar(select(db.func.count()).select_from(OutboxEmail)) == emails
    assert application.state == "awarded"
    assert client.get(f"/admin/awards/{application.id}/letters/nonsense/preview").status_code == 409
