"""The dashboard's filter form (GET, no CSRF: it changes nothing) and the export form."""
from __future__ import annotations

from dataclasses import dataclass

from ..core.forms import WebForm
from sqlalchemy import select
from wtforms import Form, HiddenField, SelectField
from wtforms.validators import InputRequired

from ..extensions import db
from ..funds.models import Fund, Round
from ..organisations.models import APPLICANT_TYPES, US_STATES
from .filters import known_workflow_states
from .labels import theme_labels

ANY = ("", "Any")


@dataclass(frozen=True)
class FilterChoices:
    """The choices read from the database; tuples, as the dashboard keeps one copy
    per process and shares it between requests."""
    funds: tuple[tuple[str, str], ...]
    rounds: tuple[tuple[str, str], ...]
    years: tuple[tuple[str, str], ...]


def filter_choices() -> FilterChoices:
    """One query: the rounds with their funds (funds without rounds have no applications)."""
    rows = db.session.execute(select(Round.id, Round.name, Round.opens_at, Fund.id, Fund.name)
                              .join(Fund, Fund.id == Round.fund_id).order_by(Fund.name, Round.opens_at)).all()
    funds = {str(fund_id): fund_name for _, _, _, fund_id, fund_name in rows}
    rounds = [(str(round_id), f"{fund_name}: {name}") for round_id, name, _, _, fund_name in rows]
    years = sorted({opens_at.year for _, _, opens_at, _, _ in rows} | {opens_at.year + 1 for _, _, opens_at, _, _ in rows},
                   reverse=True)
    return FilterChoices(funds=tuple(funds.items()), rounds=tuple(rounds),
                         years=tuple((str(y), str(y)) for y in years))


class FilterForm(Form):
    fund_id = SelectField("Fund", validate_choice=False)
    round_id = SelectField("Round", validate_choice=False)
    us_state = SelectField("State or territory", validate_choice=False)
    theme = SelectField("Theme", validate_choice=False)
    applicant_type = SelectField("Applicant type", validate_choice=False)
    workflow_state = SelectField("Workflow state", validate_choice=False)
    year = SelectField("Year submitted", validate_choice=False)

    def set_choices(self, choices: FilterChoices) -> None:
        self.fund_id.choices = [ANY, *choices.funds]
        self.round_id.choices = [ANY, *choices.rounds]
        self.us_state.choices = [ANY] + sorted(((code, name) for code, name in US_STATES.items()),
                                               key=lambda item: item[1])
        self.theme.choices = [ANY] + sorted(theme_labels().items(), key=lambda item: item[1])
        self.applicant_type.choices = [ANY] + [(code, f"{label} ({code})") for code, label in APPLICANT_TYPES.items()]
        self.workflow_state.choices = [ANY] + list(known_workflow_states().items())
        self.year.choices = [ANY, *choices.years]


class ExportForm(WebForm):
    """The export button: a format plus the dashboard's current filters as hidden fields."""
    format = SelectField("Format", validators=[InputRequired()], choices=[])
    fund_id = HiddenField()
    round_id = HiddenField()
    us_state = HiddenField()
    theme = HiddenField()
    applicant_type = HiddenField()
    workflow_state = HiddenField()
    year = HiddenField()

    def __init__(self, *args, **kwargs):
        from .exports import FORMATS

        super().__init__(*args, **kwargs)
        self.format.choices = [(f.name, f.label) for f in FORMATS.values()]
