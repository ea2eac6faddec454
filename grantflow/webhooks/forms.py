"""The endpoint form: where, which events, and whether it is on."""
from __future__ import annotations

from wtforms import BooleanField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core.forms import WebForm
from ..core.refusal import Refused
from ..users.forms import CheckboxesField
from .addresses import check_syntax
from .events import EVENTS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class EndpointForm(WebForm):
    url = StringField("URL", filters=[_strip],
                      validators=[DataRequired(message="Enter the URL to send the events to."),
                                  Length(max=2000, message="Keep the URL under 2,000 characters.")],
                      description="Where GrantFlow posts each event as JSON, for example "
                                  "https://example.org/grantflow-hook. Redirects are not followed.")
    description = StringField("Description (optional)", filters=[_strip],
                              validators=[Optional(), Length(max=200, message="Keep it under 200 characters.")],
                              description="What receives the events, for example “Finance system”.")
    events = CheckboxesField("Events", choices=[SelectChoice(key, label) for key, label in EVENTS.items()],
                             validators=[DataRequired(message="Choose at least one event.")])
    is_active = BooleanField("Send events to this endpoint", default=True,
                             description="Turn it off to stop deliveries without losing the log.")

    def validate_url(self, field) -> None:
        """The URL's form at once, with the other fields' errors (whether its
        host may be reached is the operation's check)."""
        if field.data:
            try:
                check_syntax(field.data)
            except Refused as exc:
                raise ValidationError(str(exc)) from None
