from __future__ import annotations

import re

from ..core.forms import WebForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (DataRequired, Email, EqualTo, Length, NumberRange, Optional, Regexp,
                                ValidationError)

from ..users.forms import PASSWORD_HINT, PASSWORD_RULES, person_name
from .models import APPLICANT_TYPES, US_STATES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _upper_compact(value):
    return re.sub(r"\s+", "", value).upper() if isinstance(value, str) else value


def _population(value):
    """``214,000`` and ``214 000`` are what people type."""
    return re.sub(r"[,\s]", "", value) if isinstance(value, str) else value


class PopulationField(IntegerField):
    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [_population(valuelist[0])]
        if valuelist and valuelist[0] == "":
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the population as a whole number, like 214000.") from None


def _ein_format(form, field):
    if field.data and not re.fullmatch(r"\d{2}-?\d{7}", field.data):
        raise ValidationError("Enter the EIN as 9 digits, like 42-6004643.")


class OrganisationForm(WebForm):
    name = StringField("Name of your government", filters=[_strip],
                       validators=[DataRequired(message="Enter the name of your government."), Length(max=200)],
                       description="As it should appear on an award letter, for example “City of Des Moines”.")
    applicant_type = RadioField("Type of government", choices=[SelectChoice(k, v) for k, v in APPLICANT_TYPES.items()],
                                validators=[DataRequired(message="Choose the type of government.")])
    state = SelectField("State or territory", choices=[SelectChoice("", "Choose one")] + [SelectChoice(k, v) for k, v in US_STATES.items()],
                        validators=[DataRequired(message="Choose your state or territory.")])
    population = PopulationField("Population", validators=[Optional(), NumberRange(min=0, max=1_000_000_000,
                                 message="Enter a population between 0 and 1,000,000,000.")],
                                 description="Optional. The latest estimate you have.")
    uei = StringField("Unique Entity ID (UEI)", filters=[_upper_compact],
                      validators=[Optional(), Regexp(r"^[A-Z0-9]{12}$",
                                                     message="A UEI has 12 letters and numbers, like J7M9HPTGJ1S8.")],
                      description="Optional: many governments do not have one yet.")
    ein = StringField("Employer Identification Number (EIN)", filters=[_strip],
                      validators=[Optional(), _ein_format], description="Optional. 9 digits, like 42-6004643.")
    #: shown once the name is found already registered in the same state
    is_different = BooleanField("Mine is a different government with the same name")


class InviteColleagueForm(WebForm):
    name = StringField("Your colleague's full name", filters=[_strip],
                       validators=[DataRequired(message="Enter your colleague's name."), person_name])
    email = EmailField("Their work email address", filters=[_strip],
                       validators=[DataRequired(message="Enter your colleague's email address."),
                                   Email(message="Enter a valid email address, like name@city.gov.")])


class JoinForm(WebForm):
    """Accepting a colleague's invitation with a new account."""

    name = StringField("Your full name", filters=[_strip],
                       validators=[DataRequired(message="Enter your name."), person_name])
    password = PasswordField("Choose a password", validators=PASSWORD_RULES, description=PASSWORD_HINT)
    confirm = PasswordField("Repeat the password",
                            validators=[DataRequired(message="Repeat the password."),
                                        EqualTo("password", message="The two passwords do not match.")])

    def __init__(self, *args, account_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email
