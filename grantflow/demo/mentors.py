"""The demo's mentor network: the pilot round's grantees who finished (closed)
or are finishing their grants offer to mentor; an applicant drafting for the
open round was matched with a closed grantee by the solver, both accepted and
were introduced, and they have talked twice; the draft of the demo's second
applicant login asked too, and the solver's proposal waits for the fund's
approval (so the demo shows every step). Everything goes through the real
operations; governments are found by their applications' stage."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..applications.models import Application
from ..core import outbox
from ..core.workflow import meaning
from ..extensions import db
from ..mentoring import operations, proposals
from ..users.models import User

#: (languages, how many at once, listed in the directory, note) for each mentor, in the order found
OFFERS = [
    (["en", "es"], 2, True, "We built a sister-city partnership from nothing in eighteen months; happy to share "
                            "what worked with our council and what we would do differently with the budget."),
    (["en"], 1, True, "Our delegation exchange taught us a lot about visas, hosting and follow-up. Ask me."),
    (["en", "vi"], 2, False, ""),
    (["en"], 1, True, "Still mid-grant, but glad to help anyone writing their first application."),
]
NEEDS = [
    "We have never applied for a federal grant. How did you find your partner city, and how did you budget the "
    "delegations?",
    "Our council wants to see results quickly. What did you measure in the first six months?",
]


def _lead(application: Application) -> User:
    return db.session.scalars(select(User).where(User.organisation_id == application.organisation_id)
                              .order_by(User.id)).first()


def _applications(*stages: str) -> list[Application]:
    return list(db.session.scalars(select(Application).where(meaning.in_stages(Application, *stages))
                                   .order_by(Application.id)))


def _offer(application: Application, offer) -> User:
    languages, at_once, listed, note = offer
    lead = _lead(application)
    operations.opt_in(lead, themes=list(application.themes) or ["exchange"],
                      applicant_type=application.organisation.applicant_type,
                      us_state=application.organisation.state, languages=languages, max_mentees=at_once,
                      note=note, is_visible=listed)
    return lead


def seed_mentors(at, now: datetime, admin: User) -> None:
    """``at`` is the seed's history clock. A draft whose lead is a demo login is
    left with its proposal waiting; another draft goes all the way."""
    from .seed import demo_logins  # the seed calls this module

    logins = {login.email for login in demo_logins()}
    closed = _applications("completed")[:len(OFFERS)]
    finishing = _applications("closing", "funded")
    offered = {theme for application in closed for theme in application.themes}
    # the draft whose themes the closed grantees know best goes all the way
    drafts = sorted((a for a in _applications("preparing") if _lead(a).email not in logins),
                    key=lambda a: -len(offered & set(a.themes)))
    waiting = [a for a in _applications("preparing") if _lead(a).email in logins]
    if not closed or not drafts:
        return
    at(now - timedelta(days=30))
    for application, offer in zip(closed, OFFERS):
        _offer(application, offer)
    outbox.commit()

    at(now - timedelta(days=21))
    mentee = _lead(drafts[0])
    operations.ask_for_mentor(mentee, themes=list(drafts[0].themes), languages=["en"], needs=NEEDS[0])
    outbox.commit()
    at(now - timedelta(days=20))
    for match in proposals.propose_matches(admin):
        proposals.approve_match(match, admin)
        outbox.commit()
        at(now - timedelta(days=19))
        operations.respond(match, match.mentee, accept=True)
        at(now - timedelta(days=18))
        operations.respond(match, match.mentor, accept=True)
        outbox.commit()
        at(now - timedelta(days=12))
        operations.log_conversation(match, match.mentee, held_on=(now - timedelta(days=14)).date(),
                                    topic="Finding a partner city",
                                    outcome="Shortlisted two cities our university already works with; the "
                                            "mentor will introduce us to their contact at the consulate.")
        at(now - timedelta(days=3))
        operations.log_conversation(match, match.mentor, held_on=(now - timedelta(days=4)).date(),
                                    topic="Budgeting the delegations",
                                    outcome="Moved a third of the travel budget to hosting the return visit.")
        outbox.commit()

    at(now - timedelta(days=6))
    for application, offer in zip(finishing, OFFERS[len(closed):]):
        _offer(application, offer)
    outbox.commit()
    if waiting:
        at(now - timedelta(days=2))
        # no themes named: any mentor may do (the question is about the council, not the project)
        operations.ask_for_mentor(_lead(waiting[0]), themes=[], languages=["en"], needs=NEEDS[1])
        outbox.commit()
        at(now - timedelta(days=1))
        proposals.propose_matches(admin)  # the proposal waits for the administrator
        outbox.commit()
