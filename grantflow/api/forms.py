from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..core.forms import WebForm


class NewTokenForm(WebForm):
    name = StringField("Token name", filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       validators=[DataRequired(message="Give the token a name, such as the script that will use it."),
                                   Length(max=100, message="Keep the name under 100 characters.")],
                       description="What will use it, for example “Monthly payments report”.")
