"""Who may mentor whom, how well they fit, and the optimal proposals.

The rules are pure functions over plain records (``Mentor``, ``Seeker``), so a
table of cases tests them without a database. The proposals come from the
reviewers' min-cost-flow engine (``reviews.assignment.solve``): every request
needs one mentor, every mentor has their free places, and the solver fills as
many requests as possible with the highest total fit, exactly (never greedily).

Fit, 0-100: the share of the seeker's themes the mentor knows (up to 60), the
same kind of government (25), the same state (15) or else the same Census
region (10). Hard rules, never waived by the solver: not the same organisation,
not already in contact (introduced before, or this pair already proposed for
this request), at least one shared language, at least one shared theme when
the seeker names themes, and a free place.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..reviews.assignment import Problem, solve
from .vocabulary import region_of

THEME_POINTS, KIND_POINTS, STATE_POINTS, REGION_POINTS = 60, 25, 15, 10


@dataclass(frozen=True)
class Mentor:
    user_id: int
    organisation_id: int | None
    themes: frozenset
    applicant_type: str
    us_state: str
    languages: frozenset
    free_places: int = 1


@dataclass(frozen=True)
class Seeker:
    request_id: int
    user_id: int
    organisation_id: int
    themes: frozenset
    applicant_type: str
    us_state: str
    languages: frozenset


@dataclass(frozen=True)
class Proposal:
    request_id: int
    mentor_id: int
    score: int


def pair_score(seeker: Seeker, mentor: Mentor) -> int:
    score = 0
    if seeker.themes:
        shared, asked = len(seeker.themes & mentor.themes), len(seeker.themes)
        score += (2 * THEME_POINTS * shared + asked) // (2 * asked)  # rounded half up, in integers
    if seeker.applicant_type == mentor.applicant_type:
        score += KIND_POINTS
    if seeker.us_state == mentor.us_state:
        score += STATE_POINTS
    elif region_of(seeker.us_state) is not None and region_of(seeker.us_state) == region_of(mentor.us_state):
        score += REGION_POINTS
    return score


def barrier(seeker: Seeker, mentor: Mentor, *, contacts: frozenset = frozenset(),
            tried: frozenset = frozenset()) -> str | None:
    """Why this mentor may not be proposed for this request, or None.

    ``contacts``: frozensets of two organisation ids already introduced to each
    other; ``tried``: (request id, mentor id) pairs proposed before."""
    if seeker.user_id == mentor.user_id or seeker.organisation_id == mentor.organisation_id:
        return "they work for the same government"
    if frozenset((seeker.organisation_id, mentor.organisation_id)) in contacts:
        return "their governments are already in contact through the network"
    if (seeker.request_id, mentor.user_id) in tried:
        return "this mentor was already proposed for this request"
    if not seeker.languages & mentor.languages:
        return "they share no language"
    if seeker.themes and not seeker.themes & mentor.themes:
        return "the mentor knows none of the themes asked about"
    return None


def propose(seekers: list[Seeker], mentors: list[Mentor], *, contacts: frozenset = frozenset(),
            tried: frozenset = frozenset()) -> list[Proposal]:
    """The optimal set of proposals: one mentor per request at most, each
    mentor within their free places, the most requests served, then the best total fit."""
    if not seekers or not mentors:
        return []
    shape = (len(seekers), len(mentors))
    match = np.zeros(shape, dtype=np.int64)
    allowed = np.zeros(shape, dtype=bool)
    for i, seeker in enumerate(seekers):
        for j, mentor in enumerate(mentors):
            if barrier(seeker, mentor, contacts=contacts, tried=tried) is None:
                allowed[i, j] = True
                match[i, j] = pair_score(seeker, mentor)
    problem = Problem(need=np.ones(len(seekers), dtype=np.int64),
                      capacity=np.array([max(m.free_places, 0) for m in mentors], dtype=np.int64),
                      match=match, allowed=allowed)
    solution = solve(problem)
    return sorted((Proposal(seekers[i].request_id, mentors[j].user_id, int(match[i, j]))
                   for i, j in zip(solution.apps.tolist(), solution.reviewers.tolist())),
                  key=lambda p: p.request_id)
