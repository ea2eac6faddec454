"""The network's figures for the portfolio and its dashboard: mentors, mentees
and conversations, by theme and by state. A handful of grouped queries,
whatever the size of the network; no names (these figures are for staff and
never go into open data)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from ..organisations.models import US_STATES, Organisation
from ..reviews.themes import theme_labels
from .models import MentoringConversation, MentorMatch, MentorProfile, MentorRequest

@dataclass(frozen=True)
class NetworkRow:
    key: str
    label: str
    mentors: int
    mentees: int
    conversations: int

@dataclass
class NetworkFigures:
    mentors: int = 0              # opted in now
    visible_mentors: int = 0      # of those, listed in the directory (consent)
    mentees: int = 0              # people introduced to a mentor, ever
    waiting: int = 0              # open requests not yet introduced
    conversations: int = 0
    by_theme: list[NetworkRow] = field(default_factory=list)
    by_state: list[NetworkRow] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.mentors or self.mentees or self.waiting or self.conversations)

def _rows(mentors: Counter, mentees: Counter, talks: Counter, labels: dict[str, str]) -> list[NetworkRow]:
    keys = set(mentors) | set(mentees) | set(talks)
    rows = [NetworkRow(k, labels.get(k, k), mentors[k], mentees[k], talks[k]) for k in keys]
    return sorted(rows, key=lambda r: (-(r.mentors + r.mentees), -r.conversations, r.label))

def network_figures() -> NetworkFigures:
    profiles = db.session.execute(select(MentorProfile.themes, MentorProfile.us_state, MentorProfile.is_visible)
                                  .where(MentorProfile.opted_in.is_(True))).all()
    # a mentee counts once, under the themes and state of the request they were introduced on
    introduced = db.session.execute(
        select(MentorMatch.id, MentorMatch.mentee_id, MentorRequest.themes, Organisation.state)
        .join(MentorRequest, MentorRequest.id == MentorMatch.request_id)
        .join(Organisation, Organisation.id == MentorRequest.organisation_id)
        .where(MentorMatch.introduced_at.is_not(None))).all()
    talks_per_match = dict(db.session.execute(select(MentoringConversation.match_id, func.count())
                                              .group_by(MentoringConversation.match_id)).all())
    waiting = db.session.scalar(select(func.count()).select_from(MentorRequest)
                                .where(MentorRequest.status == "open")) or 0
    theme_mentors, state_mentors = Counter(), Counter()
    for themes, us_state, _ in profiles:
        theme_mentors.update(set(themes or ()))
        state_mentors[us_state] += 1
    theme_mentees, state_mentees, theme_talks, state_talks = Counter(), Counter(), Counter(), Counter()
    seen = set()
    for match_id, mentee_id, themes, us_state in introduced:
        talks = talks_per_match.get(match_id, 0)
        if mentee_id not in seen:
            seen.add(mentee_id)
            theme_mentees.update(set(themes or ()))
            state_mentees[us_state] += 1
        for theme in set(themes or ()):
            theme_talks[theme] += talks
        state_talks[us_state] += talks
    return NetworkFigures(
        mentors=len(profiles), visible_mentors=sum(1 for *_, visible in profiles if visible),
        mentees=len(seen), waiting=waiting, conversations=sum(talks_per_match.values()),
        by_theme=_rows(theme_mentors, theme_mentees, theme_talks, theme_labels()),
        by_state=_rows(state_mentors, state_mentees, state_talks, US_STATES))

