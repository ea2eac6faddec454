"""Staff forms of the reporting domain (report forms themselves are built from
``forms/reports/`` by the form engine)."""
from __future__ import annotations

from ..core.forms import WebForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..core.formdefs.wtfields import MoneyField


class ReviewForm(WebForm):
    comment = TextAreaField("Comment for the grantee", validators=[Optional(), Length(max=4000)],
                            description="Required when you ask for changes; the grantee sees it.")


class MoveDueDateForm(WebForm):
    due_on = DateField("New due date", validators=[InputRequired("Enter the new due date.")])
    reason = TextAreaField("Reason", validators=[Length(max=1000)],
                           description="Kept in the audit log and shown to the grantee.")


class AddReportForm(WebForm):
    title = StringField("Report title", validators=[Length(max=200)],
                        description="For example “Report on the Osaka trade mission”.")
    due_on = DateField("Due date", validators=[InputRequired("Enter the due date.")])
    reason = TextAreaField("Why this report is needed", validators=[Length(max=1000)],
                           description="Kept in the audit log and shown to the grantee.")


class DisbursementForm(WebForm):
    tranche_id = SelectField("Payment", coerce=int, validators=[InputRequired("Choose the payment.")])
    amount = MoneyField("Amount paid (US dollars)", description="For example 50000 or 50,000.00.")
    paid_on = DateField("Date paid", validators=[InputRequired("Enter the date the payment was made.")])
    reference = StringField("Payment reference", validators=[Length(max=120)],
                            description="The Treasury, ASAP or bank reference of the transfer.")


class UnspentFundsForm(WebForm):
    amount = MoneyField("Unspent funds (US dollars)",
                        description="Award money that will not be paid: returned or never drawn down.")
    note = TextAreaField("Explanation", validators=[Length(max=1000)])


class ConfirmForm(WebForm):
    """A button with a CSRF token (submit a report, accept the financial report)."""

    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=4000)])


class CloseGrantForm(ConfirmForm):
    acknowledged = BooleanField("I have read the warning and close the grant anyway")
