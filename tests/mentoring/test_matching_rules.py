"""The matching rules as a table: who may be proposed to whom, how well they fit,
and that the proposals are the solver's optimum (never a greedy pick)."""
from __future__ import annotations

import pytest

from grantflow.mentoring.matching import Mentor, Proposal, Seeker, barrier, pair_score, propose

SEEKER = Seeker(request_id=1, user_id=10, organisation_id=100, themes=frozenset({"climate", "trade_investment"}),
                applicant_type="C", us_state="IA", languages=frozenset({"en"}))


def mentor(**changes) -> Mentor:
    values = {"user_id": 20, "organisation_id": 200, "themes": frozenset({"climate"}), "applicant_type": "C",
              "us_state": "IA", "languages": frozenset({"en"}), "free_places": 1}
    return Mentor(**{**values, **changes})


def seeker(**changes) -> Seeker:
    return Seeker(**{**SEEKER.__dict__, **changes})


# (case, seeker, mentor, fit 0-100 or None when barred, the reason it is barred)
RULES = [
    ("same kind, same state, half the themes", SEEKER, mentor(), 30 + 25 + 15, None),
    ("every theme known", SEEKER, mentor(themes=frozenset({"climate", "trade_investment", "exchange"})),
     60 + 25 + 15, None),
    ("same region (Midwest), not the same state", SEEKER, mentor(us_state="MN"), 30 + 25 + 10, None),
    ("another region", SEEKER, mentor(us_state="CA"), 30 + 25, None),
    ("another kind of government", SEEKER, mentor(applicant_type="A"), 30 + 15, None),
    ("territory to territory is the same region", seeker(us_state="GU"), mentor(us_state="PR"), 30 + 25 + 10, None),
    ("a seeker naming no theme fits on kind and place alone", seeker(themes=frozenset()), mentor(), 25 + 15, None),
    ("one shared language among several", seeker(languages=frozenset({"es", "en"})),
     mentor(languages=frozenset({"es"})), 70, None),
    ("the same government", SEEKER, mentor(organisation_id=100), None, "the same government"),
    ("the same person", SEEKER, mentor(user_id=10, organisation_id=300), None, "the same government"),
    ("no shared language", SEEKER, mentor(languages=frozenset({"vi"})), None, "no language"),
    ("no theme in common", SEEKER, mentor(themes=frozenset({"migration"})), None, "none of the themes"),
]


@pytest.mark.parametrize("case, who, candidate, fit, reason", RULES, ids=[r[0] for r in RULES])
def test_a_pair_is_barred_or_scored_as_the_table_says(case, who, candidate, fit, reason):
    found = barrier(who, candidate)
    if reason is None:
        assert found is None
        assert pair_score(who, candidate) == fit
    else:
        assert found is not None and reason in found


@pytest.mark.parametrize("case, contacts, tried, reason", [
    ("governments already introduced", frozenset({frozenset({100, 200})}), frozenset(), "already in contact"),
    ("this pair already proposed for this request", frozenset(), frozenset({(1, 20)}), "already proposed"),
    ("introduced to someone else only", frozenset({frozenset({100, 999})}), frozenset({(2, 20)}), None),
])
def test_contacts_and_earlier_proposals_bar_a_pair(case, contacts, tried, reason):
    found = barrier(SEEKER, mentor(), contacts=contacts, tried=tried)
    assert (found is None) if reason is None else (reason in found)


def test_the_solver_serves_every_request_where_a_greedy_pick_would_not():
    """The star mentor fits request 1 best (100) but is the only one request 2
    can use (Spanish only); greedy gives the star to request 1 and leaves
    request 2 without a mentor, the optimum serves both."""
    from grantflow.reviews.assignment import Problem, greedy

    first = seeker(request_id=1, user_id=11, organisation_id=101, themes=frozenset({"climate"}), us_state="CA",
                   languages=frozenset({"en", "es"}))
    second = seeker(request_id=2, user_id=12, organisation_id=102, themes=frozenset({"climate"}),
                    languages=frozenset({"es"}))
    star = mentor(user_id=21, organisation_id=201, us_state="CA", languages=frozenset({"en", "es"}))
    local = mentor(user_id=22, organisation_id=202, us_state="IA", languages=frozenset({"en"}))
    assert pair_score(first, star) > pair_score(first, local) and barrier(second, local) is not None
    proposals = propose([first, second], [star, local])
    assert {(p.request_id, p.mentor_id) for p in proposals} == {(1, 22), (2, 21)}
    greedy_pick = greedy(Problem(need=[1, 1], capacity=[1, 1], match=[[100, 85], [55, 0]],
                                 allowed=[[True, True], [True, False]]))
    assert greedy_pick.assigned == 1  # what a greedy matcher would have done


def test_capacity_is_respected_and_no_request_gets_two_mentors():
    seekers = [seeker(request_id=i, user_id=100 + i, organisation_id=1000 + i) for i in range(1, 5)]
    mentors = [mentor(user_id=21, organisation_id=201, free_places=2),
               mentor(user_id=22, organisation_id=202, free_places=1),
               mentor(user_id=23, organisation_id=203, free_places=0)]
    proposals = propose(seekers, mentors)
    assert len(proposals) == 3
    assert len({p.request_id for p in proposals}) == 3
    per_mentor = {m.user_id: sum(p.mentor_id == m.user_id for p in proposals) for m in mentors}
    assert per_mentor == {21: 2, 22: 1, 23: 0}


def test_nothing_to_propose_without_mentors_or_seekers():
    assert propose([], [mentor()]) == [] and propose([SEEKER], []) == []
    assert propose([SEEKER], [mentor(organisation_id=100)]) == []


def test_proposals_carry_the_fit():
    assert propose([SEEKER], [mentor()]) == [Proposal(1, 20, 70)]
