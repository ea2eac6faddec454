"""Hypothesis fires random triggers as random actors and checks the engine's
invariants after every step, on each shipped workflow.

Random triggers mostly bounce off refusals (and "withdraw" is allowed from many
states), so a purely random walk rarely gets far. Each run therefore first walks
to one goal state by moves that actors are offered (with what the guards need
built on the way), and the test is parametrised over every state as the goal:
together the runs cover the whole workflow. From there, hypothesis fires random
triggers as random actors, and random offered moves."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test,
)
from sqlalchemy import func, select

from grantflow.core import workflow
from grantflow.core.models import AuditEvent
from grantflow.core.workflow import ConcurrentChange, TransitionRefused
from grantflow.extensions import db

from .scenarios import ROLES, make_cast, satisfy_guards

WORKFLOWS = ("local_to_global", "small_grant")


def _distances_to(definition, goal: str) -> dict[str, int]:
    """Moves needed from each state to reach ``goal`` (breadth-first, backwards)."""
    distance, frontier = {goal: 0}, [goal]
    while frontier:
        following = []
        for state in frontier:
            for transition in definition.transitions:
                if transition.dest == state:
                    for source in transition.sources:
                        if source not in distance:
                            distance[source] = distance[state] + 1
                            following.append(source)
        frontier = following
    return distance


def machine_for(workflow_key: str, goal: str):
    definition = workflow.get_definition(workflow_key, 1)  # the version the factories' rounds run
    triggers = definition.triggers() + ["no_such_trigger"]
    distance = _distances_to(definition, goal)

    class WorkflowInvariants(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.cast = make_cast(workflow_key)
            self.application = self.cast.application
            self.moves = 0

        def offered_moves(self):
            for transition in definition.transitions_from(self.application.state):
                satisfy_guards(self.cast, transition.trigger)
            return [(role, action) for role in ROLES
                    for action in workflow.available_actions(self.application, self.cast.actor(role))
                    if action.allowed]

        def make(self, role, action):
            workflow.fire(self.application, action.trigger, self.cast.actor(role), comment="Because.")
            assert self.application.state == action.transition.dest
            self.moves += 1

        @initialize(chance=st.randoms(use_true_random=True))
        def walk_to_the_goal(self, chance):
            while self.application.state != goal:
                here = distance[self.application.state]
                closer = [(r, a) for r, a in self.offered_moves() if distance.get(a.transition.dest, here) < here]
                assert closer, f"no actor is offered a move from {self.application.state} towards {goal}"
                self.make(*chance.choice(closer))

        @rule(trigger=st.sampled_from(triggers), role=st.sampled_from(ROLES), with_comment=st.booleans(),
              prepare=st.booleans())
        def fire_anything(self, trigger, role, with_comment, prepare):
            if prepare:  # sometimes build what the guards need, sometimes not
                satisfy_guards(self.cast, trigger)
            before = self.application.state
            transition = definition.transition(before, trigger)
            try:
                workflow.fire(self.application, trigger, self.cast.actor(role),
                              comment="Because." if with_comment else None)
            except TransitionRefused as refused:
                assert str(refused)
                assert self.application.state == before
            else:
                assert transition is not None
                assert self.application.state == transition.dest
                self.moves += 1

        @rule(chance=st.randoms(use_true_random=True))
        def make_an_offered_move(self, chance):
            offered = self.offered_moves()
            if offered:
                self.make(*chance.choice(offered))

        @rule(role=st.sampled_from(ROLES))
        def a_stale_version_is_refused(self, role):
            before = self.application.state
            allowed = [a for a in workflow.available_actions(self.application, self.cast.actor(role)) if a.allowed]
            if not allowed:
                return
            with pytest.raises(ConcurrentChange):
                workflow.fire(self.application, allowed[0].trigger, self.cast.actor(role), comment="Because.",
                              expected_version=self.application.version - 1)
            assert self.application.state == before

        @invariant()
        def the_state_is_in_the_workflow(self):
            assert self.application.state in definition.states

        @invariant()
        def replaying_the_audit_log_gives_the_current_state(self):
            events = db.session.scalars(select(AuditEvent).where(
                AuditEvent.application_id == self.application.id, AuditEvent.action.like("workflow.%"))
                .order_by(AuditEvent.id)).all()
            state = definition.initial
            for event in events:
                assert event.from_state == state
                assert definition.transition(state, event.action.removeprefix("workflow.")).dest == event.to_state
                state = event.to_state
            assert state == self.application.state

        @invariant()
        def no_state_change_without_an_audit_row(self):
            rows = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.application_id == self.application.id, AuditEvent.action.like("workflow.%")))
            assert rows == self.moves
            db.session.refresh(self.application)  # what the database holds, not only the object
            assert self.application.version == self.moves + 1

        @invariant()
        def terminal_states_have_no_exits(self):
            state = definition.state(self.application.state)
            if state.is_terminal:
                assert definition.transitions_from(state.name) == []
                for role in ROLES:
                    assert workflow.available_actions(self.application, self.cast.actor(role)) == []

    return WorkflowInvariants


def _cases():
    from grantflow import discovery
    from grantflow.core.workflow.definition import load_file
    from grantflow.config import PROJECT_ROOT

    discovery.import_all_hooks()
    for key in WORKFLOWS:
        definition = load_file(PROJECT_ROOT / "workflows" / f"{key}.v1.yaml")
        for state in definition.states:
            yield key, state


@pytest.mark.parametrize("workflow_key,goal", list(_cases()))
def test_random_moves_keep_the_invariants(workflow_key, goal):
    run_state_machine_as_test(machine_for(workflow_key, goal), settings=settings(
        max_examples=4, stateful_step_count=12, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
