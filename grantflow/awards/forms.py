"""Forms of the awards domain. Rows (co-funders, payments) are parsed here into
``AwardTerms`` so that every problem lands next to the field it concerns."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from ..core.forms import WebForm
from wtforms import BooleanField, DateField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..core import formdefs
from ..core.db import cents_to_dollars
from .models import RELEASE_EVENTS, RELEASE_LABELS
from .operations import AwardTerms, TrancheTerms
from .schedule import parse_percent

MONEY = re.compile(r"^\$?\s*(\d{1,3}(,\d{3})*|\d+)(\.\d{1,2})?$")
CO_FUNDER_ROWS = 3
TRANCHE_ROWS = 5


def parse_usd(text: str | None) -> int:
    """'75,000', '$75,000.50' or '75000' to cents; ValueError with a helpful message."""
    cleaned = (text or "").strip()
    if not MONEY.match(cleaned):
        raise ValueError("Enter an amount in US dollars, like 75,000 or 75,000.50.")
    return int((Decimal(cleaned.replace("$", "").replace(",", "").strip()) * 100).to_integral_value())


def dollars(cents: int | None) -> str:
    return "" if cents is None else f"{cents_to_dollars(cents):,.2f}"


def _answer_date(application, role: str) -> date | None:
    """The project dates the applicant gave (the questions with ``role: start_date``/``end_date``)."""
    value = formdefs.answer(application, role)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


class CoFunderRow(Form):
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    amount = StringField("Share (US dollars)", validators=[Optional()])


class TrancheRow(Form):
    label = StringField("Label", validators=[Optional(), Length(max=120)])
    release_on = SelectField("Released", choices=[SelectChoice(e, RELEASE_LABELS[e]) for e in RELEASE_EVENTS],
                             default="acceptance")
    percent = StringField("Share (%)", validators=[Optional()])
    due_date = DateField("Date (if released on a date)", validators=[Optional()])


class AwardTermsForm(WebForm):
    amount = StringField("Amount awarded (US dollars)",
                         validators=[DataRequired(message="Enter the amount awarded.")])
    override_reason = TextAreaField("Reason for awarding more than was requested",
                                    description="Only needed when the amount is more than the amount requested.")
    period_start = DateField("Period of performance: start",
                             validators=[InputRequired(message="Enter the start date (for example 2026-07-01).")])
    period_end = DateField("Period of performance: end",
                           validators=[InputRequired(message="Enter the end date (for example 2027-06-30).")])
    conditions = TextAreaField("Conditions", description="One condition per paragraph (leave a blank line "
                               "between them). They are printed as a numbered list in the award letter.")
    co_funders = FieldList(FormField(CoFunderRow), min_entries=CO_FUNDER_ROWS, max_entries=CO_FUNDER_ROWS)
    tranches = FieldList(FormField(TrancheRow), min_entries=TRANCHE_ROWS, max_entries=TRANCHE_ROWS)

    def fill(self, award, application, default_tranches: list[TrancheTerms]) -> None:
        """Prefill a GET: the recorded terms, else the request and the fund's defaults."""
        if award is not None:
            self.amount.data = dollars(award.amount_cents)
            self.override_reason.data = award.amount_override_reason or ""
            self.period_start.data, self.period_end.data = award.period_start, award.period_end
            self.conditions.data = award.conditions
            co_funders = [(s.name, s.amount_cents) for s in award.funding_sources if not s.is_fund]
            tranches = [TrancheTerms(t.label, t.release_on, t.percent, t.due_date) for t in award.tranches]
        else:
            self.amount.data = dollars(application.amount_requested_cents)
            self.period_start.data = _answer_date(application, "start_date")
            self.period_end.data = _answer_date(application, "end_date")
            co_funders, tranches = [], default_tranches
        for row, (name, cents) in zip(self.co_funders, co_funders):
            row.form.name.data, row.form.amount.data = name, dollars(cents)
        for row, tranche in zip(self.tranches, tranches):
            row.form.label.data, row.form.release_on.data = tranche.label, tranche.release_on
            row.form.percent.data = f"{tranche.percent.normalize():f}"
            row.form.due_date.data = tranche.due_date

    def terms(self) -> AwardTerms | None:
        """The terms, or None after attaching each problem to its field."""
        ok = True
        amount = 0
        try:
            amount = parse_usd(self.amount.data)
        except ValueError as exc:
            self.amount.errors.append(str(exc))
            ok = False
        co_funders = []
        for index, row in enumerate(self.co_funders, start=1):
            name, text = (row.form.name.data or "").strip(), (row.form.amount.data or "").strip()
            if not name and not text:
                continue
            if not name:
                row.form.name.errors.append(f"Give co-funder {index} a name.")
                ok = False
            try:
                co_funders.append((name, parse_usd(text)))
            except ValueError as exc:
                row.form.amount.errors.append(str(exc))
                ok = False
        tranches = []
        for index, row in enumerate(self.tranches, start=1):
            label, text = (row.form.label.data or "").strip(), (row.form.percent.data or "").strip()
            if not label and not text:
                continue
            if not label:
                row.form.label.errors.append(f"Give payment {index} a label.")
                ok = False
            try:
                percent = parse_percent(text)
            except (InvalidOperation, ValueError):
                row.form.percent.errors.append("Enter a percentage, like 40 or 33.33.")
                ok = False
                continue
            if row.form.release_on.data == "date" and row.form.due_date.data is None:
                row.form.due_date.errors.append(f"Payment {index} is released on a date: enter the date.")
                ok = False
            tranches.append(TrancheTerms(label, row.form.release_on.data, percent, row.form.due_date.data))
        if not ok:
            return None
        return AwardTerms(amount_cents=amount, period_start=self.period_start.data,
                          period_end=self.period_end.data, conditions=self.conditions.data or "",
                          override_reason=self.override_reason.data or "", co_funders=tuple(co_funders),
                          tranches=tuple(tranches))

    def refusal_field(self, field_name: str | None):
        """Where an operation's refusal naming ``field_name`` is shown (``core.refusal``)."""
        targets = {"co_funders": self.co_funders[0].form.name, "tranches": self.tranches[0].form.percent}
        return targets.get(field_name) or getattr(self, field_name or "", None) or self.amount

    def error_list(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for the error summary, rows included."""
        found = []
        for field in (self.amount, self.override_reason, self.period_start, self.period_end, self.conditions):
            found += [(field.id, field.label.text, error) for error in field.errors]
        for name, rows in (("Co-funder", self.co_funders), ("Payment", self.tranches)):
            for index, row in enumerate(rows, start=1):
                for sub in row.form:
                    found += [(sub.id, f"{name} {index}: {sub.label.text}", e) for e in sub.errors]
        return found


class AcceptAwardForm(WebForm):
    typed_name = StringField("Type your full name to accept the award",
                             validators=[DataRequired(message="Type your full name to accept the award.")],
                             description="Typing it is the signature: it is recorded with the date, time and "
                                         "your IP address.")


class DeclineOfferForm(WebForm):
    confirm = BooleanField("I understand that declining the award is final",
                           validators=[DataRequired(message="Tick the box to confirm that you decline the award.")])
    comment = TextAreaField("Reason (optional)", validators=[Length(max=2000)],
                            description="Telling us why helps the fund improve.")


class RoundLettersForm(WebForm):
    send = BooleanField("Send the letters once they are rendered",
                        description="Awarded applications receive their offer; decline and waiting-list letters "
                                    "not sent before are emailed. Untick to render drafts for checking first.")


class RenderLetterForm(WebForm):
    #: choices: the letters the application's workflow sends (set by the view)
    kind = SelectField("Letter", choices=[])
