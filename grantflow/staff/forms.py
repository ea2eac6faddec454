"""Staff forms beyond the application list's filters."""
from __future__ import annotations

from ..core.forms import WebForm
from wtforms import TextAreaField

from .operations import NOTE_MAX


class StaffNoteForm(WebForm):
    text = TextAreaField("Add an internal note",
                         description=f"Seen by fund staff only: never by the applicant or the reviewers. Kept in "
                                     f"the audit log with your name and the time. Up to {NOTE_MAX:,} characters.")
