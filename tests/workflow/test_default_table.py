"""The default workflow as a table: (state, trigger, role) -> allowed or
refused, and the destination. The table below is the specification, written by
hand from domain.md; the YAML must agree with it."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grantflow.core import workflow
from grantflow.core.models import AuditEvent
from grantflow.core.workflow import TransitionRefused
from grantflow.extensions import db

from .scenarios import ROLES, comment_for, make_cast, satisfy_guards

MEMBER, ADMIN, SYSTEM = {"member"}, {"admin"}, {"system"}
BEFORE_DECISION = ("draft", "submitted", "screening", "more_info_requested", "in_review", "reviews_complete",
                   "waitlisted")

#: (state, trigger) -> (destination, roles that may fire it); everything else is refused to everyone
ALLOWED = {
    ("draft", "submit"): ("submitted", MEMBER),
    ("submitted", "start_screening"): ("screening", ADMIN),
    ("screening", "request_information"): ("more_info_requested", ADMIN),
    ("more_info_requested", "provide_information"): ("screening", MEMBER),
    ("screening", "mark_ineligible"): ("ineligible", ADMIN),
    ("screening", "send_to_review"): ("in_review", ADMIN),
    ("in_review", "complete_reviews"): ("reviews_complete", ADMIN | SYSTEM),
    ("reviews_complete", "award"): ("awarded", ADMIN),
    ("waitlisted", "award"): ("awarded", ADMIN),
    ("reviews_complete", "waitlist"): ("waitlisted", ADMIN),
    ("reviews_complete", "decline"): ("declined", ADMIN),
    ("waitlisted", "decline"): ("declined", ADMIN),
    ("awarded", "offer_award"): ("award_offered", ADMIN | SYSTEM),
    ("award_offered", "accept_award"): ("active", MEMBER),
    ("award_offered", "decline_offer"): ("offer_declined", MEMBER),
    ("active", "submit_final_report"): ("final_report_submitted", MEMBER | SYSTEM),
    ("final_report_submitted", "return_final_report"): ("active", ADMIN),
    ("final_report_submitted", "start_closeout"): ("closeout", ADMIN),
    ("closeout", "close"): ("closed", ADMIN),
    **{(state, "withdraw"): ("withdrawn", MEMBER) for state in BEFORE_DECISION},
}

STATES = ("draft", "submitted", "screening", "more_info_requested", "ineligible", "in_review", "reviews_complete",
          "waitlisted", "declined", "awarded", "award_offered", "offer_declined", "active",
          "final_report_submitted", "closeout", "closed", "withdrawn")
TRIGGERS = sorted({trigger for _, trigger in ALLOWED})
TERMINAL = {"ineligible", "declined", "offer_declined", "closed", "withdrawn"}


def _workflow_events(application):
    return select(AuditEvent).where(AuditEvent.application_id == application.id,
                                    AuditEvent.action.like("workflow.%"))


def _audit_rows(application) -> int:
    return db.session.scalar(select(func.count()).select_from(_workflow_events(application).subquery()))


def test_the_yaml_matches_the_table():
    definition = workflow.get_definition("local_to_global", 1)
    assert tuple(definition.states) == STATES
    assert {name for name, s in definition.states.items() if s.is_terminal} == TERMINAL
    in_yaml = {(source, t.trigger): t.dest for t in definition.transitions for source in t.sources}
    assert in_yaml == {key: dest for key, (dest, _) in ALLOWED.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state,trigger", sorted(ALLOWED))
def test_defined_moves(state, trigger, role):
    dest, allowed_roles = ALLOWED[(state, trigger)]
    cast = make_cast(state=state)
    satisfy_guards(cast, trigger)
    application, actor = cast.application, cast.actor(role)
    comment = comment_for(cast, trigger)
    decision = workflow.may(application, trigger, actor)
    if role in allowed_roles:
        assert decision, decision.reason
        workflow.fire(application, trigger, actor, comment=comment)
        assert application.state == dest
        event = db.session.scalars(_workflow_events(application)).one()
        assert (event.from_state, event.to_state, event.action) == (state, dest, f"workflow.{trigger}")
        assert event.actor_id == getattr(actor, "id", None)
        assert event.comment == comment
    else:
        assert not decision
        assert decision.reason  # a refusal always says why
        with pytest.raises(TransitionRefused):
            workflow.fire(application, trigger, actor, comment=comment)
        assert application.state == state
        assert _audit_rows(application) == 0


@pytest.mark.parametrize("state", STATES)
def test_every_other_trigger_is_refused_to_everyone(state):
    cast = make_cast(state=state)
    for trigger in TRIGGERS:
        if (state, trigger) in ALLOWED:
            continue
        for role in ROLES:
            decision = workflow.may(cast.application, trigger, cast.actor(role))
            assert not decision, (state, trigger, role)
            assert "cannot be done while the application is" in decision.reason
            with pytest.raises(TransitionRefused):
                workflow.fire(cast.application, trigger, cast.actor(role))
    assert cast.application.state == state
    assert _audit_rows(cast.application) == 0


@pytest.mark.parametrize("state", sorted(TERMINAL))
def test_terminal_states_offer_nothing(state):
    cast = make_cast(state=state)
    for role in ("member", "admin", "reviewer"):
        assert workflow.available_actions(cast.application, cast.actor(role)) == []


def test_a_required_comment_is_enforced():
    cast = make_cast(state="screening")
    with pytest.raises(TransitionRefused, match="comment is required"):
        workflow.fire(cast.application, "request_information", cast.admin, comment="   ")
    assert cast.application.state == "screening"


def test_refusals_name_the_roles_and_the_guard_reason():
    cast = make_cast(state="reviews_complete")
    assert "admin" in workflow.may(cast.application, "award", cast.member).reason
    refused = workflow.may(cast.application, "award", cast.admin)
    assert not refused and "award terms" in refused.reason.lower()
    assert "person" in workflow.may(cast.application, "award", None).reason
