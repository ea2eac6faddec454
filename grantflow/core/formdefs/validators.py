"""Format checks run by WTForms on one field. Messages name the field and say
how to fix the answer (GOV.UK style), because they are shown next to it and
in the summary at the top of the page."""
from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from wtforms.validators import StopValidation, ValidationError

from ..db import format_usd


def _label(field) -> str:
    return field.label.text


class SkipWhenEmpty:
    """An empty answer is not a format error (required answers are checked
    separately, against the whole application); clear parse errors too."""

    field_flags = {"optional": True}

    def __call__(self, form, field):
        raw = field.raw_data or []
        empty = not raw or all(isinstance(v, str) and not v.strip() for v in raw)
        if empty and field.data in (None, "", []):
            field.errors[:] = []
            raise StopValidation()


class LengthLimit:
    def __init__(self, min_length: int | None, max_length: int | None):
        self.min_length, self.max_length = min_length, max_length

    def __call__(self, form, field):
        length = len(field.data or "")
        if self.max_length is not None and length > self.max_length:
            raise ValidationError(f"“{_label(field)}” must be {self.max_length:,} characters or fewer "
                                  f"(it has {length:,}).")
        if self.min_length is not None and length < self.min_length:
            raise ValidationError(f"“{_label(field)}” must be at least {self.min_length:,} characters "
                                  f"(it has {length:,}).")


class RangeLimit:
    def __init__(self, minimum: int | None, maximum: int | None, money: bool = False):
        self.minimum, self.maximum, self.money = minimum, maximum, money

    def _show(self, value: int) -> str:
        return format_usd(value, whole=value % 100 == 0) if self.money else f"{value:,}"

    def __call__(self, form, field):
        if field.data is None:
            return
        low, high = self.minimum, self.maximum
        if low is not None and high is not None and not low <= field.data <= high:
            raise ValidationError(f"“{_label(field)}” must be between {self._show(low)} and {self._show(high)}.")
        if low is not None and field.data < low:
            raise ValidationError(f"“{_label(field)}” must be {self._show(low)} or more.")
        if high is not None and field.data > high:
            raise ValidationError(f"“{_label(field)}” must be {self._show(high)} or less.")


class PatternLimit:
    def __init__(self, pattern: str, message: str | None):
        self.regex = re.compile(pattern)
        self.message = message

    def __call__(self, form, field):
        if not self.regex.fullmatch(field.data or ""):
            raise ValidationError(self.message or f"“{_label(field)}” is not in the expected format.")


class SelectionLimit:
    def __init__(self, minimum: int | None, maximum: int | None):
        self.minimum, self.maximum = minimum, maximum

    def __call__(self, form, field):
        count = len(field.data or [])
        if self.maximum is not None and count > self.maximum:
            raise ValidationError(f"Choose at most {self.maximum} for “{_label(field)}” (you chose {count}).")
        if self.minimum is not None and count < self.minimum:
            raise ValidationError(f"Choose at least {self.minimum} for “{_label(field)}” (you chose {count}).")


class EmailCheck:
    def __call__(self, form, field):
        try:
            result = validate_email(field.data, check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(f"Enter an email address like name@city.gov for “{_label(field)}”.") from None
        field.data = result.normalized


PHONE_CHARACTERS = re.compile(r"[0-9+().\-\s]+(\s*(ext\.?|x)\s*\d{1,6})?", re.IGNORECASE)


class PhoneCheck:
    def __call__(self, form, field):
        text = field.data or ""
        digits = re.sub(r"\D", "", re.split(r"(?i)ext|x", text)[0])
        if not PHONE_CHARACTERS.fullmatch(text) or not 7 <= len(digits) <= 15:
            raise ValidationError(f"Enter a phone number like 515-555-0142 for “{_label(field)}”.")


URL_SHAPE = re.compile(r"https?://[^\s/$.?#][^\s]*\.[^\s]{2,}", re.IGNORECASE)


class UrlCheck:
    """``city.gov/page`` is accepted and stored as ``https://city.gov/page``."""

    def __call__(self, form, field):
        text = field.data or ""
        if not re.match(r"(?i)https?://", text):
            text = "https://" + text
        if not URL_SHAPE.fullmatch(text):
            raise ValidationError(f"Enter a web address like https://www.city.gov for “{_label(field)}”.")
        field.data = text
