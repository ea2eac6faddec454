"""WTForms fields whose ``data`` is exactly the stored answer.

Keeping ``field.data`` in the answer's own format (cents for money, an ISO
string for dates, ``True``/``False`` for yes/no, an attachment id for files)
makes answers -> form -> answers a plain copy. Each field keeps the raw text
the person typed when it cannot be parsed, so an error never erases it."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms import widgets
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import ValidationError


def _first(valuelist) -> str:
    return valuelist[0] if valuelist else ""


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _values(field) -> set[str]:
    return {c.value for c in field.choices}


class RawKeepingMixin:
    """Show what was typed (even if invalid) rather than the parsed value."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.format_data(self.data)

    def format_data(self, value) -> str:
        return "" if value is None else str(value)


class TextField(StringField):
    def process_formdata(self, valuelist):
        text = _first(valuelist).strip()
        self.data = text or None


class LongTextField(TextAreaField):
    """Browsers send new lines as CRLF; count each as one character, as the
    live counter does."""

    def process_formdata(self, valuelist):
        text = _first(valuelist).replace("\r\n", "\n").strip()
        self.data = text or None


class WholeNumberField(RawKeepingMixin, StringField):
    widget = widgets.TextInput()

    def process_formdata(self, valuelist):
        text = _first(valuelist).strip().replace(",", "").replace(" ", "")
        if not text:
            self.data = None
            return
        if not re.fullmatch(r"-?\d+", text):
            self.data = None
            raise ValueError(f"Enter a whole number, like 1200, for “{self.label.text}”.")
        self.data = int(text)


class MoneyField(RawKeepingMixin, StringField):
    """Dollars typed in any common way ("$12,500", "12500.5"), stored as cents."""

    def process_formdata(self, valuelist):
        text = _first(valuelist).strip().replace(",", "").replace("$", "").replace(" ", "")
        text = text.removeprefix("USD").removesuffix("USD")
        if not text:
            self.data = None
            return
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            self.data = None
            raise ValueError(f"Enter an amount in dollars, like 12500 or 12,500.00, for “{self.label.text}”.")
        self.data = int(amount * 100)

    def format_data(self, cents) -> str:
        if cents is None:
            return ""
        dollars, remainder = divmod(int(cents), 100)
        return f"{dollars}" if remainder == 0 else f"{dollars}.{remainder:02d}"


DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%B %d, %Y", "%b %d, %Y")


class IsoDateField(RawKeepingMixin, StringField):
    """A native date picker; the typed forms Americans use are accepted too
    (browsers without a picker show a text box)."""

    widget = widgets.DateInput()

    def process_formdata(self, valuelist):
        text = _first(valuelist).strip()
        if not text:
            self.data = None
            return
        for fmt in DATE_FORMATS:
            try:
                self.data = datetime.strptime(text, fmt).date().isoformat()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(f"Enter a real date, like 2026-03-31, for “{self.label.text}”.")

    def format_data(self, value) -> str:
        if isinstance(value, date):
            return value.isoformat()
        return value or ""


class YesNoField(RadioField):
    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, choices=options([("yes", "Yes"), ("no", "No")]), **kwargs)

    def process_data(self, value):
        self.data = value if isinstance(value, bool) else None

    def process_formdata(self, valuelist):
        if valuelist:
            choice = valuelist[0]
            if choice not in ("yes", "no"):
                raise ValueError("Choose Yes or No.")
            self.data = choice == "yes"

    def pre_validate(self, form):
        """Parsing already checked the choice."""

    def iter_choices(self):
        selected = {True: "yes", False: "no"}.get(self.data)
        for choice in self.choices:
            yield Choice(value=choice.value, label=choice.label, selected=choice.value == selected, render_kw={})


class ChoiceField(RadioField):
    def process_formdata(self, valuelist):
        if valuelist and valuelist[0]:
            self.data = valuelist[0]

    def pre_validate(self, form):
        if self.data is not None and self.data not in _values(self):
            raise ValidationError("Choose one of the options.")


class SelectChoiceField(SelectField):
    """A drop-down for long lists, with an empty first entry."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist and valuelist[0] else None

    def pre_validate(self, form):
        if self.data is not None and self.data not in _values(self) - {""}:
            raise ValidationError("Choose one of the options.")


class MultiChoiceField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def process_data(self, value):
        self.data = list(value) if value else []

    def process_formdata(self, valuelist):
        self.data = [v for v in valuelist if v]

    def pre_validate(self, form):
        allowed = _values(self)
        if any(v not in allowed for v in self.data or []):
            raise ValidationError("Choose from the options shown.")


class AttachmentField(FileField):
    """``data`` is the id of the stored attachment, or a fresh ``FileStorage``
    just uploaded. The id already stored travels in a hidden input
    (``<name>__current``) so that items of a repeatable group keep their file
    when other items are removed."""

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data=data, extra_filters=extra_filters)
        self.current_id = data if isinstance(data, int) else None
        self.remove_requested = False
        if formdata is not None:
            posted = formdata.get(f"{self.name}__current")
            if posted is not None:
                self.current_id = int(posted) if posted.isdigit() else None
            self.remove_requested = formdata.get(f"{self.name}__remove") == "1"
        self.upload = self.data if isinstance(self.data, FileStorage) and self.data.filename else None
        self.data = None if self.remove_requested else self.current_id

    def process_formdata(self, valuelist):
        files = [v for v in valuelist if isinstance(v, FileStorage) and v.filename]
        self.data = files[0] if files else None
        if not files:
            self.raw_data = []
