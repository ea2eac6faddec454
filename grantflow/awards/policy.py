"""Who may do what to awards and letters (``core.policy``).

Staff record terms, render and send letters. The applying organisation reads
its award once the offer is sent, and the letters sent to it; before that,
and to any other organisation, they do not exist (404). Reviewers are told
these pages are not theirs (403)."""
from __future__ import annotations

from ..core.policy import ALLOW, can, has_role, hidden, kind, staff
from ..core.workflow import meaning
from .models import Award, Letter, LetterBatch

award = kind("award", model=Award)
award.action("manage")(staff)


@award.action("view")
def view_award(user, obj) -> object:
    decision = can(user, "follow", obj.application if obj is not None else "application")
    if not decision or obj is None or has_role(user, "admin"):
        return decision
    if meaning.is_in(obj.application, "selected"):
        return hidden()  # the applicant sees the terms once the offer is sent
    return ALLOW


letter = kind("letter", model=Letter)
letter.action("manage")(staff)


@letter.action("download")
def download_letter(user, obj) -> object:
    decision = can(user, "follow", obj.application if obj is not None else "application")
    if not decision or obj is None or has_role(user, "admin"):
        return decision
    return ALLOW if obj.sent_at is not None else hidden()  # drafts and unsent versions are for staff


kind("letter_batch", model=LetterBatch).action("manage")(staff)
