"""Verbs of the mentor network for its members: offering to mentor, asking for
a mentor, answering a proposed match, logging a conversation. Each takes the
acting user, checks, audits, flushes and never commits; the administrators'
verbs (proposing, approving, changing matches) are in ``proposals``."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..core.audit import record_event
from ..core.cache import portfolio_changed
from ..core.db import utcnow
from ..core.mail import send_email
from ..core.refusal import Refused
from ..extensions import db
from ..organisations.models import APPLICANT_TYPES, US_STATES
from ..reviews.themes import theme_labels
from ..users.operations import active_admins
from .eligibility import may_ask, may_mentor
from .models import MAX_MENTEES, MentoringConversation, MentorMatch, MentorProfile, MentorRequest
from .vocabulary import LANGUAGES

NOTE_MAX, NEEDS_MAX, TOPIC_MAX, OUTCOME_MAX = 1000, 2000, 200, 4000
PROFILE_FIELDS = ("themes", "applicant_type", "us_state", "languages", "max_mentees", "note", "is_visible")


def _chosen(values, known, field: str, what: str) -> list[str]:
    values = sorted(set(values or ()))
    unknown = [v for v in values if v not in known]
    if unknown:
        raise Refused(f"Unknown {what}: {', '.join(unknown)}.", field=field)
    if not values:
        raise Refused(f"Choose at least one {what}.", field=field)
    return values


def _text(value, field: str, maximum: int, message: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Refused(message, field=field)
    if len(text) > maximum:
        raise Refused(f"Keep this to {maximum:,} characters (now {len(text):,}).", field=field)
    return text


# --- mentors ----------------------------------------------------------------

def profile_of(user) -> MentorProfile | None:
    return db.session.get(MentorProfile, user.id)


def opt_in(actor, *, themes, applicant_type: str, us_state: str, languages, max_mentees: int, note: str,
           is_visible: bool) -> MentorProfile:
    """Offer to mentor, or change the offer (the same form)."""
    decision = may_mentor(actor)
    if not decision:
        raise Refused(decision.reason)
    values = {
        "themes": _chosen(themes, theme_labels(), "themes", "theme"),
        "applicant_type": applicant_type if applicant_type in APPLICANT_TYPES else None,
        "us_state": us_state if us_state in US_STATES else None,
        "languages": _chosen(languages, LANGUAGES, "languages", "language"),
        "max_mentees": max_mentees,
        "note": _text(note, "note", NOTE_MAX, "", required=False),
        "is_visible": bool(is_visible),
    }
    if values["applicant_type"] is None:
        raise Refused("Choose a kind of government.", field="applicant_type")
    if values["us_state"] is None:
        raise Refused("Choose a state or territory.", field="us_state")
    if not isinstance(max_mentees, int) or not 1 <= max_mentees <= MAX_MENTEES:
        raise Refused(f"Enter a number from 1 to {MAX_MENTEES}.", field="max_mentees")
    profile = profile_of(actor)
    returning = profile is not None and not profile.opted_in
    if profile is None:
        profile = MentorProfile(user_id=actor.id, **values)
        db.session.add(profile)
        action, before = "mentoring.opted_in", None
    else:
        before = {key: getattr(profile, key) for key in PROFILE_FIELDS}
        for key, value in values.items():
            setattr(profile, key, value)
        action = "mentoring.opted_in" if returning else "mentoring.profile_updated"
    profile.opted_in, profile.opted_out_at = True, None
    db.session.flush()
    record_event(actor=actor, action=action, subject=profile, data={"before": before, "after": values})
    portfolio_changed()
    return profile


def opt_out(actor) -> MentorProfile:
    """Leave the network: out of matching and the directory at once; matches not
    yet introduced are cancelled (their requests go back to the pool)."""
    profile = profile_of(actor)
    if profile is None or not profile.opted_in:
        raise Refused("You are not offering to mentor.")
    profile.opted_in, profile.opted_out_at = False, utcnow()
    cancelled = _close_pending(select(MentorMatch).where(MentorMatch.mentor_id == actor.id), actor,
                               "The mentor left the network.")
    db.session.flush()
    record_event(actor=actor, action="mentoring.opted_out", subject=profile, data={"cancelled_matches": cancelled})
    portfolio_changed()
    return profile


def _close_pending(query, actor, reason: str) -> list[int]:
    """Cancel the matches of ``query`` that are not introduced yet."""
    ids = []
    for match in db.session.scalars(query.where(MentorMatch.status.in_(("proposed", "approved")))):
        match.status, match.closed_at, match.closed_by_id, match.closed_reason = "cancelled", utcnow(), actor.id, reason
        ids.append(match.id)
    return ids


# --- mentees ----------------------------------------------------------------

def open_request_of(user) -> MentorRequest | None:
    return db.session.scalar(select(MentorRequest).where(MentorRequest.user_id == user.id,
                                                         MentorRequest.status == "open"))


def ask_for_mentor(actor, *, themes, languages, needs: str) -> MentorRequest:
    decision = may_ask(actor)
    if not decision:
        raise Refused(decision.reason)
    if open_request_of(actor) is not None:
        raise Refused("You already asked for a mentor; the fund is looking for one. Withdraw that request "
                      "first to ask again.")
    request = MentorRequest(
        user_id=actor.id, organisation_id=actor.organisation_id,
        themes=_chosen(themes, theme_labels(), "themes", "theme") if themes else [],  # none: any theme
        languages=_chosen(languages, LANGUAGES, "languages", "language"),
        needs=_text(needs, "needs", NEEDS_MAX, "Say what you would like help with."))
    db.session.add(request)
    db.session.flush()
    record_event(actor=actor, action="mentoring.requested", subject=request,
                 data={"themes": request.themes, "languages": request.languages})
    for admin in active_admins():  # they propose the matches: nothing happens until one looks
        send_email(admin.email, "mentoring_requested", admin=admin, request=request, asker=actor)
    portfolio_changed()
    return request


def withdraw_request(request: MentorRequest, actor) -> MentorRequest:
    if request.user_id != actor.id:
        raise Refused("Only the person who asked can withdraw this request.")
    if request.status != "open":
        raise Refused("This request is no longer open.")
    request.status, request.closed_at = "cancelled", utcnow()
    cancelled = _close_pending(select(MentorMatch).where(MentorMatch.request_id == request.id), actor,
                               "The request was withdrawn.")
    db.session.flush()
    record_event(actor=actor, action="mentoring.request_withdrawn", subject=request,
                 data={"cancelled_matches": cancelled})
    portfolio_changed()
    return request


# --- both parties -------------------------------------------------------------

def lock(match: MentorMatch) -> MentorMatch:
    """Read the match afresh under a row lock: the two parties may answer at the
    same moment, and each must see the other's answer (else neither introduces)."""
    db.session.flush()  # nothing of this request is lost by reading the row again
    db.session.refresh(match, with_for_update=True)
    return match


def _side(match: MentorMatch, actor) -> str:
    lock(match)
    side = match.party(actor)
    if side is None:
        raise Refused("Only the mentor and the mentee of this match can do this.")
    return side


def respond(match: MentorMatch, actor, *, accept: bool) -> MentorMatch:
    """A party accepts or turns down an approved match; once both accept, both
    are introduced by email with each other's contact details (after the commit)."""
    side = _side(match, actor)
    if match.status != "approved":
        raise Refused("This match is not waiting for an answer." if match.status != "proposed" else
                      "The fund has not approved this match yet.")
    now = utcnow()
    if not accept:
        match.status, match.closed_at, match.closed_by_id = "turned_down", now, actor.id
        db.session.flush()
        record_event(actor=actor, action="mentoring.match_turned_down", subject=match, data={"side": side})
        return match
    if match.accepted_by(side):
        raise Refused("You already accepted; the other party has not answered yet.")
    setattr(match, f"{side}_accepted_at", now)
    record_event(actor=actor, action="mentoring.match_accepted", subject=match, data={"side": side})
    if match.accepted_by("mentor") and match.accepted_by("mentee"):
        match.status, match.introduced_at = "introduced", now
        match.request.status, match.request.closed_at = "matched", now
        record_event(actor=actor, action="mentoring.introduced", subject=match,
                     data={"mentor_id": match.mentor_id, "mentee_id": match.mentee_id})
        for person, other, role in ((match.mentor, match.mentee, "mentee"), (match.mentee, match.mentor, "mentor")):
            send_email(person.email, "mentoring_introduced", person=person, other=other, other_role=role,
                       match=match)
        portfolio_changed()
    db.session.flush()
    return match


def end_match(match: MentorMatch, actor) -> MentorMatch:
    side = _side(match, actor)
    if match.status != "introduced":
        raise Refused("Only a mentoring relationship under way can be ended.")
    match.status, match.closed_at, match.closed_by_id = "ended", utcnow(), actor.id
    db.session.flush()
    record_event(actor=actor, action="mentoring.ended", subject=match, data={"side": side})
    portfolio_changed()
    return match


def log_conversation(match: MentorMatch, actor, *, held_on: date, topic: str, outcome: str
                     ) -> MentoringConversation:
    _side(match, actor)
    if match.introduced_at is None:
        raise Refused("Conversations are logged once you have both been introduced.")
    if held_on is None:
        raise Refused("Enter the date of the conversation.", field="held_on")
    if held_on > utcnow().date():
        raise Refused("The date cannot be in the future.", field="held_on")
    if held_on < match.introduced_at.date():
        raise Refused(f"You were introduced on {match.introduced_at:%B %-d, %Y}: enter that date or a later one.",
                      field="held_on")
    conversation = MentoringConversation(
        match=match, logged_by_id=actor.id, held_on=held_on,
        topic=_text(topic, "topic", TOPIC_MAX, "Say what you talked about."),
        outcome=_text(outcome, "outcome", OUTCOME_MAX, "Say what came of it."))
    db.session.add(conversation)
    db.session.flush()
    record_event(actor=actor, action="mentoring.conversation_logged", subject=conversation,
                 data={"match_id": match.id, "held_on": held_on.isoformat()})
    portfolio_changed()
    return conversation
