"""The administrators' side of matching: run the solver over the open requests
and the mentors with free places, approve or reject its proposals, or choose
another mentor by hand. Flush, never commit; emails wait for the commit."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import func, select

from ..core.audit import record_event
from ..core.db import utcnow
from ..core.mail import send_email
from ..core.refusal import Refused
from ..extensions import db
from ..organisations.models import Organisation
from ..users.models import User
from .eligibility import MENTOR_STAGES, organisations_in
from .matching import Mentor, Seeker, barrier, pair_score, propose
from .models import LIVE_MATCH_STATUSES, MentorMatch, MentorProfile, MentorRequest
from .operations import lock


def _require_admin(actor) -> None:
    if not actor.has_role("admin"):
        raise Refused("Only a fund administrator can do this.")


def _live_counts() -> dict[int, int]:
    return dict(db.session.execute(select(MentorMatch.mentor_id, func.count()).where(
        MentorMatch.status.in_(LIVE_MATCH_STATUSES)).group_by(MentorMatch.mentor_id)).all())


def available_mentors() -> list[Mentor]:
    """Opted-in mentors of governments that hold a grant, with their free places."""
    live = _live_counts()
    rows = db.session.execute(
        select(MentorProfile, User.organisation_id).join(User, User.id == MentorProfile.user_id)
        .where(MentorProfile.opted_in.is_(True), User.is_active_account.is_(True),
               User.organisation_id.in_(organisations_in(*MENTOR_STAGES)))
        .order_by(MentorProfile.user_id)).all()
    return [Mentor(user_id=p.user_id, organisation_id=org_id, themes=frozenset(p.themes),
                   applicant_type=p.applicant_type, us_state=p.us_state, languages=frozenset(p.languages),
                   free_places=p.max_mentees - live.get(p.user_id, 0)) for p, org_id in rows]


def seeker_of(request: MentorRequest) -> Seeker:
    org = request.organisation
    return Seeker(request_id=request.id, user_id=request.user_id, organisation_id=request.organisation_id,
                  themes=frozenset(request.themes), applicant_type=org.applicant_type, us_state=org.state,
                  languages=frozenset(request.languages))


def waiting_requests() -> list[MentorRequest]:
    """Open requests with no live match (nobody proposed, or every proposal ended)."""
    live = select(MentorMatch.request_id).where(MentorMatch.status.in_(LIVE_MATCH_STATUSES))
    return list(db.session.scalars(select(MentorRequest).join(Organisation)
                                   .where(MentorRequest.status == "open", MentorRequest.id.not_in(live))
                                   .order_by(MentorRequest.id)))


def contacts() -> frozenset:
    """Pairs of organisations already introduced to each other, by any match ever."""
    mentor, mentee = sa.orm.aliased(User), sa.orm.aliased(User)
    rows = db.session.execute(select(mentor.organisation_id, mentee.organisation_id)
                              .join(MentorMatch, MentorMatch.mentor_id == mentor.id)
                              .join(mentee, mentee.id == MentorMatch.mentee_id)
                              .where(MentorMatch.introduced_at.is_not(None))).all()
    return frozenset(frozenset(row) for row in rows)


def tried_pairs() -> frozenset:
    return frozenset(tuple(row) for row in db.session.execute(select(MentorMatch.request_id, MentorMatch.mentor_id)))


def propose_matches(actor) -> list[MentorMatch]:
    """Solve and store the proposals (waiting for an administrator's approval)."""
    _require_admin(actor)
    # one run at a time: the proposals of a concurrent run would double-book mentors
    db.session.execute(select(MentorProfile.user_id).with_for_update())
    requests = waiting_requests()
    proposals = propose([seeker_of(r) for r in requests], available_mentors(), contacts=contacts(),
                        tried=tried_pairs())
    by_id = {r.id: r for r in requests}
    matches = [MentorMatch(request=by_id[p.request_id], mentor_id=p.mentor_id, mentee_id=by_id[p.request_id].user_id,
                           score=p.score, source="automatic") for p in proposals]
    db.session.add_all(matches)
    db.session.flush()
    record_event(actor=actor, action="mentoring.matches_proposed", subject=None,
                 data={"requests": len(requests), "proposed": [[p.request_id, p.mentor_id, p.score] for p in proposals]})
    return matches


def _notify_approved(match: MentorMatch) -> None:
    for person in (match.mentor, match.mentee):
        send_email(person.email, "mentoring_proposed", person=person, match=match,
                   side=match.party(person))


def approve_match(match: MentorMatch, actor) -> MentorMatch:
    _require_admin(actor)
    lock(match)
    if match.status != "proposed":
        raise Refused("Only a proposed match can be approved.")
    match.status, match.approved_by_id, match.approved_at = "approved", actor.id, utcnow()
    db.session.flush()
    record_event(actor=actor, action="mentoring.match_approved", subject=match,
                 data={"mentor_id": match.mentor_id, "mentee_id": match.mentee_id})
    _notify_approved(match)
    return match


def reject_match(match: MentorMatch, actor, *, reason: str = "") -> MentorMatch:
    _require_admin(actor)
    lock(match)
    if match.status not in ("proposed", "approved"):
        raise Refused("Only a match not yet introduced can be rejected.")
    match.status, match.closed_at, match.closed_by_id = "rejected", utcnow(), actor.id
    match.closed_reason = (reason or "").strip() or None
    db.session.flush()
    record_event(actor=actor, action="mentoring.match_rejected", subject=match, comment=reason)
    return match


def assign_mentor(request: MentorRequest, mentor: User, actor) -> MentorMatch:
    """The administrator chooses the mentor (changing a proposal): the same hard
    rules as the solver, except that the themes may differ; approved at once."""
    _require_admin(actor)
    if request.status != "open":
        raise Refused("This request is no longer open.")
    candidate = next((m for m in available_mentors() if m.user_id == mentor.id), None)
    if candidate is None:
        raise Refused(f"{mentor.name} is not offering to mentor (or their government holds no grant).",
                      field="mentor_id")
    pending = [m for m in request.matches if m.status in ("proposed", "approved")]
    if candidate.free_places - sum(m.mentor_id == mentor.id for m in pending) <= 0:
        raise Refused(f"{mentor.name} already mentors as many governments as they offered.", field="mentor_id")
    seeker = seeker_of(request)
    # the seeker's themes left out: an administrator may choose a mentor of other themes
    blocking = barrier(Seeker(**{**seeker.__dict__, "themes": frozenset()}), candidate, contacts=contacts(),
                       tried=tried_pairs())
    if blocking is not None:
        raise Refused(f"{mentor.name} cannot mentor {request.user.name}: {blocking}.", field="mentor_id")
    for match in pending:
        reject_match(match, actor, reason=f"Replaced by {mentor.name}.")
    match = MentorMatch(request=request, mentor_id=mentor.id, mentee_id=request.user_id, source="manual",
                        score=pair_score(seeker, candidate), status="approved", approved_by_id=actor.id,
                        approved_at=utcnow())
    db.session.add(match)
    db.session.flush()
    record_event(actor=actor, action="mentoring.mentor_assigned", subject=match,
                 data={"mentor_id": mentor.id, "mentee_id": request.user_id, "score": match.score})
    _notify_approved(match)
    return match
