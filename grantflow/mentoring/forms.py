"""Web forms of the mentor network. Choices that depend on the definitions (the
themes of the application forms) are filled in by ``fill_choices``."""
from __future__ import annotations

from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import WebForm
from ..organisations.models import APPLICANT_TYPES, US_STATES
from ..reviews.forms import MultiCheckboxField
from ..reviews.themes import theme_labels
from .models import MAX_MENTEES
from .operations import NEEDS_MAX, NOTE_MAX, OUTCOME_MAX, TOPIC_MAX
from .vocabulary import LANGUAGES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _language_choices():
    return [SelectChoice(code, name) for code, name in LANGUAGES.items()]


class MentorForm(WebForm):
    themes = MultiCheckboxField("Themes you can advise on", choices=[], validate_choice=True,
                                description="You are matched with governments asking about these themes.")
    applicant_type = RadioField("Kind of government you know", validate_choice=True,
                                choices=[SelectChoice(k, v) for k, v in APPLICANT_TYPES.items()],
                                validators=[DataRequired(message="Choose a kind of government.")])
    us_state = SelectField("State or territory", validate_choice=True,
                           choices=[SelectChoice("", "Choose one")] + [
                               SelectChoice(k, v) for k, v in sorted(US_STATES.items(), key=lambda kv: kv[1])],
                           validators=[DataRequired(message="Choose a state or territory.")],
                           description="Governments nearby (the same state, then the same region) come first.")
    languages = MultiCheckboxField("Languages you can mentor in", choices=_language_choices(),
                                   validate_choice=True)
    max_mentees = IntegerField(
        "How many governments you can mentor at once",
        validators=[InputRequired(message="Enter a number."),
                    NumberRange(min=1, max=MAX_MENTEES, message=f"Enter a number from 1 to {MAX_MENTEES}.")])
    note = TextAreaField("A short note for the governments you may mentor", filters=[_strip],
                         validators=[Optional(), Length(max=NOTE_MAX)],
                         description="What you did with your grant and what you are glad to share. Optional.")
    is_visible = BooleanField(
        "List my profile in the mentor directory",
        description="Signed-in applicants and grantees then see your name, government, themes, languages and "
                    "note (never your email or phone). Without it, only the fund's staff see your offer. "
                    "Mentor profiles are never published in open data or exports.")

    def fill_choices(self) -> "MentorForm":
        self.themes.choices = [SelectChoice(k, v) for k, v in theme_labels().items()]
        return self


class RequestForm(WebForm):
    needs = TextAreaField("What would you like help with?", filters=[_strip],
                          validators=[DataRequired(message="Say what you would like help with."),
                                      Length(max=NEEDS_MAX)],
                          description="For example: finding a partner city, planning a delegation, the budget.")
    themes = MultiCheckboxField("Themes of your project", choices=[], validate_choice=True,
                                description="Optional: a mentor who knows one of them is found first.")
    languages = MultiCheckboxField("Languages you are comfortable in", choices=_language_choices(),
                                   validate_choice=True)

    def fill_choices(self) -> "RequestForm":
        self.themes.choices = [SelectChoice(k, v) for k, v in theme_labels().items()]
        return self


class ConversationForm(WebForm):
    held_on = DateField("Date of the conversation", validators=[InputRequired(message="Enter a date.")],
                        description="For example 2026-11-24.")
    topic = StringField("Topic", filters=[_strip],
                        validators=[DataRequired(message="Say what you talked about."), Length(max=TOPIC_MAX)])
    outcome = TextAreaField("What came of it", filters=[_strip],
                            validators=[DataRequired(message="Say what came of it."), Length(max=OUTCOME_MAX)])


class AnswerForm(WebForm):
    """A party's answer to a match (the buttons carry it)."""
    answer = SelectField("Answer", choices=[SelectChoice("accept", "Accept"), SelectChoice("turn_down", "Turn down"),
                                           SelectChoice("end", "End")],
                         validators=[DataRequired(message="Choose an answer.")])


class AssignForm(WebForm):
    mentor_id = SelectField("Mentor", coerce=int, choices=[], validate_choice=True,
                            validators=[DataRequired(message="Choose a mentor.")])


class RejectForm(WebForm):
    reason = StringField("Reason (optional)", filters=[_strip], validators=[Optional(), Length(max=500)])


class ConfirmForm(WebForm):
    """A button and its CSRF token (opting out, withdrawing, approving, proposing)."""
