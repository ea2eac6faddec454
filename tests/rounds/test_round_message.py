"""A message to a round's applicants (issue 17): filtered by state, previewed
(count and names, nothing sent), then one email per person through the
outbox, kept on each application's timeline as a message from the fund that
the applicant can reply to; audited; rate-limited per sender."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grantflow.core.limits import limiter
from grantflow.core.models import AuditEvent, OutboxEmail
from grantflow.core.workflow import get_definition
from grantflow.extensions import db

from tests import factories


def _state(stage: str) -> str:
    return get_definition("local_to_global", 1).states_in(stage)[0]


@pytest.fixture
def round_with_applicants():
    """Hawaii: two applications in review, two people; Ames: one application
    received, one person (and one inactive account); Tulsa: a draft."""
    round_ = factories.create_round(name="2027 round")
    other_round = factories.create_round(name="Another round")
    hawaii = factories.create_organisation(name="State of Hawaii")
    dana = factories.create_applicant(hawaii, name="Dana Kealoha")
    factories.create_applicant(hawaii, name="Kai Nakamura")
    ames = factories.create_organisation(name="City of Ames")
    factories.create_applicant(ames, name="Robin Ames")
    gone = factories.create_applicant(ames, name="Former Clerk")
    gone.is_active_account = False
    tulsa = factories.create_organisation(name="Tulsa County")
    factories.create_applicant(tulsa, name="Tess Tulsa")
    reviewing, received = _state("reviewing"), _state("received")
    apps = {"hawaii1": factories.create_application(round_, hawaii, state=reviewing, title="Hawaii one"),
            "hawaii2": factories.create_application(round_, hawaii, state=reviewing, title="Hawaii two"),
            "ames": factories.create_application(round_, ames, state=received, title="Ames"),
            "tulsa": factories.create_application(round_, tulsa, title="Tulsa draft"),
            "elsewhere": factories.create_application(other_round, hawaii, state=reviewing)}
    return round_, apps, dana


def _post(client, round_, **data):
    return client.post(f"/admin/rounds/{round_.id}/message", data=data)


def _digest(page: str) -> str:
    return re.search(r'name="previewed" type="hidden" value="([0-9a-f]+)"', page).group(1)


MESSAGE = {"subject": "Site visits in March", "text": "We will visit each applicant in March.\n\nPlease reply."}


def test_preview_then_send_to_the_applications_in_the_chosen_states(client, login_as, round_with_applicants):
    round_, apps, dana = round_with_applicants
    login_as(factories.create_user("admin"))
    page = client.get(f"/admin/rounds/{round_.id}").text
    assert f'href="/admin/rounds/{round_.id}/message"' in page  # linked from the round's hub

    preview = _post(client, round_, states=[_state("reviewing"), _state("received")], action="preview", **MESSAGE)
    page = preview.text
    assert preview.status_code == 200 and "<strong>3 people</strong>" in page and "(3 applications:" in page
    for name in ("Dana Kealoha", "Kai Nakamura", "Robin Ames", "State of Hawaii", "City of Ames"):
        assert name in page
    assert "Tess Tulsa" not in page and "Former Clerk" not in page
    assert ">Send to 3 people</button>" in page
    assert db.session.scalars(select(OutboxEmail)).all() == []  # a preview sends nothing

    sent = _post(client, round_, states=[_state("reviewing"), _state("received")], action="send",
                 previewed=_digest(page), **MESSAGE)
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/admin/rounds/{round_.id}")
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.recipient)).all()
    assert len(emails) == 3 and {e.subject for e in emails} == {"Site visits in March"}
    to_dana = next(e for e in emails if e.recipient == dana.email)
    assert "We will visit each applicant in March." in to_dana.body_text
    assert f"/applications/{apps['hawaii1'].id}" in to_dana.body_text and f"/applications/{apps['hawaii2'].id}" in to_dana.body_text
    kept = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.fund_message")).all()
    assert sorted(e.application_id for e in kept) == sorted(apps[k].id for k in ("hawaii1", "hawaii2", "ames"))
    assert all(e.is_visible_to_applicant and e.comment.startswith("We will visit") for e in kept)
    summary = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "staff.round_message_sent")).one()
    assert summary.data["recipients"] == 3 and summary.data["applications"] == 3

    # the applicant reads it on the application's page as a message from the fund, and replies
    login_as(dana)
    page = client.get(f"/applications/{apps['hawaii1'].id}").text
    assert "Message from the fund" in page and "We will visit each applicant in March." in page
    assert "Reply to the fund" in page
    reply = client.post(f"/applications/{apps['hawaii1'].id}/reply", data={"text": "March 12 suits us."})
    assert reply.status_code == 302
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.reply")).one()


def test_no_state_ticked_writes_to_every_applicant_of_the_round(client, login_as, round_with_applicants):
    round_, apps, _ = round_with_applicants
    login_as(factories.create_user("admin"))
    page = _post(client, round_, action="preview", **MESSAGE).text
    assert "<strong>4 people</strong>" in page and "Tess Tulsa" in page
    _post(client, round_, action="send", previewed=_digest(page), **MESSAGE)
    assert len(db.session.scalars(select(OutboxEmail)).all()) == 4
    kept = {e.application_id for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "application.fund_message"))}
    assert apps["elsewhere"].id not in kept and len(kept) == 4


@pytest.mark.parametrize("data, status, error", [
    ({"action": "preview", "text": "Hello"}, 422, "Write a subject."),
    ({"action": "preview", "subject": "Hi"}, 422, "Write the message."),
    ({"action": "preview", "subject": "x" * 151, "text": "Hello"}, 422, "Keep the subject under 150"),
    ({"action": "send", "previewed": "0" * 20, **MESSAGE}, 422, "The recipients changed since the preview"),
    ({"action": "send", "states": ["no_such_state"], **MESSAGE}, 422, "is not a valid choice"),
])
def test_refused_messages_send_nothing_and_say_why(client, login_as, round_with_applicants, data, status, error):
    round_, _, _ = round_with_applicants
    login_as(factories.create_user("admin"))
    response = _post(client, round_, **data)
    assert response.status_code == status and error in response.text and 'role="alert"' in response.text
    assert db.session.scalars(select(OutboxEmail)).all() == []


def test_a_round_with_nobody_to_write_to_offers_no_send(client, login_as):
    round_ = factories.create_round()
    login_as(factories.create_user("admin"))
    page = _post(client, round_, action="preview", **MESSAGE).text
    assert "Nobody: no application of the round" in page and "Send to" not in page


@pytest.fixture
def limits_on(app):
    limiter.reset()
    app.config["RATE_LIMITS"] = True
    yield
    app.config["RATE_LIMITS"] = False
    limiter.reset()


def test_sending_is_rate_limited_per_sender_and_previews_are_free(client, login_as, round_with_applicants, limits_on):
    round_, _, _ = round_with_applicants
    login_as(factories.create_user("admin"))
    for _ in range(8):
        assert _post(client, round_, action="preview", **MESSAGE).status_code == 200
    answers = []
    for _ in range(6):
        page = _post(client, round_, action="preview", **MESSAGE).text
        answers.append(_post(client, round_, action="send", previewed=_digest(page), **MESSAGE).status_code)
    assert answers == [302] * 5 + [429]
    assert _post(client, round_, action="preview", **MESSAGE).status_code == 200  # still free
    assert len(db.session.scalars(select(OutboxEmail)).all()) == 5 * 4
