"""The catalog's filters: theme, state, kind of government and the year of the
award, from a plain GET form (no JavaScript, no CSRF: it changes nothing)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timezone

import sqlalchemy as sa
from wtforms import Form, SelectField

from ..applications.models import Application
from ..organisations.models import APPLICANT_TYPES, US_STATES, Organisation
from ..portfolio.filters import FilterError, parse_filters
from ..portfolio.labels import theme_labels

ANY = ("", "Any")


@dataclass(frozen=True)
class CatalogFilters:
    theme: str | None = None
    us_state: str | None = None
    applicant_type: str | None = None
    #: the calendar year (UTC) the award was decided
    year: int | None = None

    def as_args(self) -> dict:
        return {f.name: value for f in fields(self) if (value := getattr(self, f.name)) is not None}

    def without(self, name: str) -> "CatalogFilters":
        return CatalogFilters(**{k: v for k, v in self.as_args().items() if k != name})

    def apply(self, stmt, awarded_at):
        """WHERE clauses; ``stmt`` joins Organisation, ``awarded_at`` is the award's date column."""
        if self.us_state is not None:
            stmt = stmt.where(Organisation.state == self.us_state)
        if self.applicant_type is not None:
            stmt = stmt.where(Organisation.applicant_type == self.applicant_type)
        if self.theme is not None:
            # a JSON list of keys: the quoted key matches exactly (as in the portfolio's filters)
            stmt = stmt.where(sa.cast(Application.themes, sa.Text).contains(f'"{self.theme}"', autoescape=True))
        if self.year is not None:
            stmt = stmt.where(awarded_at >= datetime(self.year, 1, 1, tzinfo=timezone.utc),
                              awarded_at < datetime(self.year + 1, 1, 1, tzinfo=timezone.utc))
        return stmt


class CatalogFilterForm(Form):
    theme = SelectField("Theme", validate_choice=False)
    us_state = SelectField("State or territory", validate_choice=False)
    applicant_type = SelectField("Kind of government", validate_choice=False)
    year = SelectField("Year awarded", validate_choice=False)

    def set_choices(self, years: list[int]) -> None:
        self.theme.choices = [ANY] + sorted(theme_labels().items(), key=lambda item: item[1])
        self.us_state.choices = [ANY] + sorted(US_STATES.items(), key=lambda item: item[1])
        self.applicant_type.choices = [ANY] + list(APPLICANT_TYPES.items())
        self.year.choices = [ANY] + [(str(y), str(y)) for y in years]


def parse_catalog_filters(values, form: CatalogFilterForm | None = None) -> CatalogFilters | None:
    """The filters, or None with each bad value's message on its field of ``form``
    (the portfolio's parser checks the values; only these four are read)."""
    wanted = {f.name: values.get(f.name) for f in fields(CatalogFilters)}
    try:
        parsed = parse_filters({k: v for k, v in wanted.items() if isinstance(v, str)}, check_ids=False)
    except FilterError as exc:
        if form is not None:
            for key, message in exc.errors.items():
                getattr(form, key).errors = [message]
        return None
    return CatalogFilters(**{k: getattr(parsed, k) for k in wanted})
