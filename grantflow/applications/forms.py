"""Forms of the applications domain beyond the application form itself (which
the form engine builds from forms/applications/)."""
from __future__ import annotations

from ..core.forms import WebForm
from wtforms import TextAreaField

from .operations import REPLY_MAX


class ReplyForm(WebForm):
    text = TextAreaField("Reply to the fund",
                         description=f"Your reply is kept with the application's history and emailed to the "
                                     f"fund's staff. Up to {REPLY_MAX:,} characters.")
