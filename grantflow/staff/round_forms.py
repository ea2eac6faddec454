"""The round form and the fund settings form. They only carry text: the
values are read and checked by the operations (``funds.operations.
read_round_terms``, ``staff.fund_settings.read_fund_settings``), the same ones
the command line uses, so a value is refused with the same words wherever it
was typed."""
from __future__ import annotations

from wtforms import BooleanField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..awards.forms import TrancheRow
from ..core.forms import WebForm

TRANCHE_ROWS = 5


class RoundForm(WebForm):
    name = StringField("Name", description="As applicants see it, for example “2027 round”.")
    description = TextAreaField("Description", validators=[Optional(), Length(max=4000)],
                                description="Shown to applicants with the round. Optional.")
    opens = StringField("Opens", render_kw={"type": "datetime-local"},
                        description="Date and time, in the round's time zone.")
    closes = StringField("Closes", render_kw={"type": "datetime-local"},
                         description="Applications can be submitted until this moment.")
    timezone = StringField("Time zone", description="A name such as America/New_York, America/Chicago, "
                                                    "America/Denver, America/Los_Angeles or Pacific/Honolulu.",
                           render_kw={"autocomplete": "off", "spellcheck": "false"})
    budget = StringField("Budget (US dollars)", render_kw={"inputmode": "decimal"})
    min_award = StringField("Minimum award (US dollars)", render_kw={"inputmode": "decimal"},
                            description="The smallest amount an application may request.")
    max_award = StringField("Maximum award (US dollars)", render_kw={"inputmode": "decimal"},
                            description="The largest amount an application may request.")
    workflow = SelectField("Workflow", validate_choice=False,
                           description="The process applications of this round follow.")
    form = SelectField("Application form", validate_choice=False)
    rubric = SelectField("Rubric", validate_choice=False, description="What reviewers score against.")
    reviewers_per_application = StringField("Reviewers per application", render_kw={"inputmode": "numeric"},
                                            description="From 1 to 20.")
    reviewer_cap = StringField("Reviewer cap", render_kw={"inputmode": "numeric"},
                               description="The most applications one reviewer gets in this round. Leave empty "
                                           "to use each reviewer's own cap.")
    blind = BooleanField("Blind review", description="Reviewers do not see who applied.")
    open_data = BooleanField("Publish funded projects as open data",
                             description="The round's grants appear in the fund's public 360Giving data.")

    def values(self) -> dict:
        return {field.name: field.data for field in self if field.name != "csrf_token"}


class FundSettingsForm(WebForm):
    payment_schedule = FieldList(FormField(TrancheRow), min_entries=TRANCHE_ROWS, max_entries=TRANCHE_ROWS)
    interim_report_months = StringField("Interim report every (months)", render_kw={"inputmode": "numeric"},
                                        description="0 for no interim reports; at most 24.")
    final_report_days = StringField("Final report due (days after the grant ends)",
                                    render_kw={"inputmode": "numeric"}, description="From 1 to 365.")
    reminder_days_before = StringField("Reminders (days before a report is due)",
                                       render_kw={"inputmode": "numeric"}, description="From 0 to 90.")
    award_number_prefix = StringField("Award number prefix",
                                      description="Capital letters, digits and hyphens, for example OCSD-L2G: "
                                                  "awards are numbered OCSD-L2G-2027-0001.")
    signatory_name = StringField("Letter signatory: name", validators=[Optional(), Length(max=200)])
    signatory_title = StringField("Letter signatory: title", validators=[Optional(), Length(max=200)])
    giving_prefix = StringField("360Giving prefix",
                                description="The identifier prefix 360Giving gave the fund (without 360G-), "
                                            "for example usocsd. Leave empty to use the installation's.")
