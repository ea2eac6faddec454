"""The mentor network's verbs: who may mentor and ask (by the workflow's
stages), the administrator's proposals, both parties' acceptance, the
introduction by email after the commit, conversations, opting out; every
change audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from grantflow.core import outbox
from grantflow.core.db import utcnow
from grantflow.core.models import AuditEvent, OutboxEmail
from grantflow.core.refusal import Refused
from grantflow.extensions import db
from grantflow.mentoring import operations, proposals
from grantflow.mentoring.eligibility import may_ask, may_mentor
from grantflow.mentoring.figures import network_figures

from tests import factories
from tests import factories_mentoring as fm


def _audited(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.mark.parametrize("state, mentor, ask", [
    ("draft", False, True), ("submitted", False, False), ("in_review", False, False),
    ("award_offered", False, False), ("active", True, True), ("final_report_submitted", True, True),
    ("closeout", True, False), ("closed", True, False), ("declined", False, False), ("withdrawn", False, False),
])
def test_who_may_mentor_and_ask_follows_the_workflow_stages(state, mentor, ask):
    user = fm.create_grantee(grant_state=state)
    assert bool(may_mentor(user)) is mentor
    assert bool(may_ask(user)) is ask


def test_a_closed_grantee_mentors_a_new_applicant_from_opt_in_to_a_conversation():
    admin = factories.create_user("admin")
    mentor = fm.create_grantee(grant_state="closed", name="City of Tucson", state="AZ")
    profile = fm.opt_in(mentor, themes=["climate", "exchange"], note="Ask me about delegations.")
    newcomer = fm.create_drafter(name="Town of Newfield", state="MN")
    request = fm.ask(newcomer, themes=["climate"], needs="How do we find a partner city?")
    outbox.commit()
    assert profile.opted_in and _audited("mentoring.opted_in") == 1 and _audited("mentoring.requested") == 1

    [match] = proposals.propose_matches(admin)
    assert (match.mentor_id, match.mentee_id, match.status) == (mentor.id, newcomer.id, "proposed")
    proposals.approve_match(match, admin)
    outbox.commit()
    asked = db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "mentoring_proposed")).all()
    assert {e.recipient for e in asked} == {mentor.email, newcomer.email}
    assert all(mentor.email not in e.body_text for e in asked if e.recipient == newcomer.email)

    operations.respond(match, newcomer, accept=True)
    assert match.status == "approved"
    with pytest.raises(Refused, match="already accepted"):
        operations.respond(match, newcomer, accept=True)
    operations.respond(match, mentor, accept=True)
    outbox.commit()
    assert match.status == "introduced" and request.status == "matched"
    intro = {e.recipient: e.body_text for e in db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.template == "mentoring_introduced"))}
    assert mentor.email in intro[newcomer.email] and newcomer.email in intro[mentor.email]

    operations.log_conversation(match, newcomer, held_on=utcnow().date(), topic="Choosing a partner city",
                                outcome="Shortlisted two cities in Sonora.")
    outbox.commit()
    figures = network_figures()
    assert (figures.mentors, figures.mentees, figures.conversations, figures.waiting) == (1, 1, 1, 0)
    climate = next(row for row in figures.by_theme if row.key == "climate")
    assert (climate.mentors, climate.mentees, climate.conversations) == (1, 1, 1)
    assert {row.key for row in figures.by_state} == {"AZ", "MN"}
    for action in ("mentoring.matches_proposed", "mentoring.match_approved", "mentoring.match_accepted",
                   "mentoring.introduced", "mentoring.conversation_logged"):
        assert _audited(action) >= 1, action


def test_the_introduction_is_sent_only_if_the_transaction_commits():
    mentor, mentee = fm.create_grantee(), fm.create_drafter()
    match = fm.create_match(mentor, mentee)
    outbox.commit()
    operations.respond(match, mentor, accept=True)
    operations.respond(match, mentee, accept=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)
                             .where(OutboxEmail.template == "mentoring_introduced")) == 0


def test_never_the_same_government_nor_governments_already_in_contact():
    admin = factories.create_user("admin")
    mentor = fm.create_grantee(grant_state="active")
    fm.opt_in(mentor, max_mentees=5)
    colleague = factories.create_applicant(mentor.organisation)
    fm.ask(colleague)  # an active grantee may ask too, but never gets their own colleague
    first = fm.create_drafter()
    fm.create_match(mentor, first, admin=admin, status="introduced")
    second = factories.create_applicant(first.organisation)
    fm.ask(second)  # the same government as one already introduced to this mentor
    assert proposals.propose_matches(admin) == []


def test_capacity_counts_matches_under_way():
    admin = factories.create_user("admin")
    mentor = fm.create_grantee()
    fm.opt_in(mentor, max_mentees=1)
    fm.create_match(mentor, fm.create_drafter(), admin=admin, status="introduced")
    fm.ask(fm.create_drafter())
    assert proposals.propose_matches(admin) == []
    operations.end_match(db.session.scalars(select(proposals.MentorMatch)).one(), mentor)
    assert len(proposals.propose_matches(admin)) == 1


def test_turned_down_the_request_waits_for_another_mentor():
    admin = factories.create_user("admin")
    mentor, other = fm.create_grantee(), fm.create_grantee()
    fm.opt_in(other)
    mentee = fm.create_drafter()
    match = fm.create_match(mentor, mentee, admin=admin)
    operations.respond(match, mentor, accept=False)
    assert match.status == "turned_down" and match.request.status == "open"
    [again] = proposals.propose_matches(admin)
    assert again.mentor_id == other.id  # never the one who turned it down


def test_the_administrator_changes_a_proposal_by_choosing_the_mentor():
    admin = factories.create_user("admin")
    first, second = fm.create_grantee(), fm.create_grantee()
    fm.opt_in(first)
    fm.opt_in(second, themes=["migration"])  # no common theme: the administrator may still choose them
    mentee = fm.create_drafter()
    fm.ask(mentee)
    [proposed] = proposals.propose_matches(admin)
    assert proposed.mentor_id == first.id
    chosen = proposals.assign_mentor(proposed.request, second, admin)
    assert proposed.status == "rejected" and (chosen.status, chosen.source) == ("approved", "manual")
    grantee = fm.create_grantee(grant_state="active")  # a new grantee asks; a colleague mentors
    request = fm.ask(grantee)
    colleague = factories.create_applicant(grantee.organisation)
    fm.opt_in(colleague)
    with pytest.raises(Refused, match="same government"):
        proposals.assign_mentor(request, colleague, admin)


def test_opting_out_cancels_what_is_not_introduced_and_leaves_the_directory():
    admin = factories.create_user("admin")
    mentor = fm.create_grantee()
    pending = fm.create_match(mentor, fm.create_drafter(), admin=admin)
    operations.opt_out(mentor)
    assert pending.status == "cancelled" and pending.request.status == "open"
    assert network_figures().mentors == 0 and _audited("mentoring.opted_out") == 1
    with pytest.raises(Refused):
        operations.opt_out(mentor)
    fm.opt_in(mentor)  # and back at any time
    assert operations.profile_of(mentor).opted_in


@pytest.mark.parametrize("changes, field", [
    ({"themes": []}, "themes"), ({"themes": ["no_such_theme"]}, "themes"), ({"languages": []}, "languages"),
    ({"applicant_type": "Z"}, "applicant_type"), ({"us_state": "XX"}, "us_state"), ({"max_mentees": 0}, "max_mentees"),
    ({"max_mentees": 11}, "max_mentees"), ({"note": "x" * 1001}, "note"),
])
def test_a_bad_profile_is_refused_next_to_its_field(changes, field):
    with pytest.raises(Refused) as refused:
        fm.opt_in(fm.create_grantee(), **changes)
    assert refused.value.field == field


def test_only_grantees_mentor_and_only_parties_answer_or_log():
    with pytest.raises(Refused, match="grantees"):
        fm.opt_in(fm.create_drafter())
    mentor, mentee = fm.create_grantee(), fm.create_drafter()
    match = fm.create_match(mentor, mentee)
    stranger = fm.create_drafter()
    with pytest.raises(Refused, match="Only the mentor and the mentee"):
        operations.respond(match, stranger, accept=True)
    with pytest.raises(Refused, match="once you have both been introduced"):
        operations.log_conversation(match, mentee, held_on=utcnow().date(), topic="x", outcome="y")
    operations.respond(match, mentor, accept=True)
    operations.respond(match, mentee, accept=True)
    with pytest.raises(Refused, match="future") as refused:
        operations.log_conversation(match, mentee, held_on=utcnow().date() + timedelta(days=2), topic="x",
                                    outcome="y")
    assert refused.value.field == "held_on"
    with pytest.raises(Refused, match="Only the mentor and the mentee"):
        operations.log_conversation(match, stranger, held_on=utcnow().date(), topic="x", outcome="y")


def test_one_open_request_at_a_time_and_withdrawing_it():
    mentee = fm.create_drafter()
    request = fm.ask(mentee)
    with pytest.raises(Refused, match="already asked"):
        fm.ask(mentee)
    operations.withdraw_request(request, mentee)
    assert request.status == "cancelled" and fm.ask(mentee).status == "open"


def test_the_command_line_proposes_and_approves(runner):
    admin = factories.create_user("admin")
    mentor = fm.create_grantee()
    fm.opt_in(mentor)
    fm.ask(fm.create_drafter())
    db.session.commit()
    result = runner.invoke(args=["mentors", "propose", "--admin", admin.email, "--approve"])
    assert result.exit_code == 0, result.output
    assert "1 match proposed." in result.output and "approved" in result.output
    refused = runner.invoke(args=["mentors", "propose", "--admin", mentor.email])
    assert refused.exit_code != 0 and "Only a fund administrator" in refused.output


def test_a_request_for_a_mentor_is_emailed_to_every_active_administrator():
    admin = factories.create_user("admin", name="Fran Admin")
    retired = factories.create_user("admin")
    retired.is_active_account = False
    asker = fm.create_drafter(name="Town of Newfield", state="MN")
    fm.ask(asker, needs="How do we budget a first delegation?")
    outbox.commit()
    sent = db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "mentoring_requested")).all()
    assert [e.recipient for e in sent] == [admin.email]
    assert "How do we budget a first delegation?" in sent[0].body_text
    assert "Town of Newfield" in sent[0].body_text and "/admin/mentoring/" in sent[0].body_text
