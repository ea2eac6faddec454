"""Choices and initial data of the reviewer profile forms (shared by the
reviewer's own page and the administrators' page)."""
from __future__ import annotations

from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..organisations.models import US_STATES, Organisation
from .models import ReviewerProfile
from .themes import theme_labels


def fill_profile_choices(form) -> None:
    labels = theme_labels()
    form.expertise_themes.choices = [SelectChoice(key, label) for key, label in labels.items()]
    form.conflicted_states.choices = [SelectChoice(code, name)
                                      for code, name in sorted(US_STATES.items(), key=lambda kv: kv[1])]
    organisations = db.session.execute(select(Organisation.id, Organisation.name, Organisation.state)
                                       .order_by(Organisation.name)).all()
    form.conflicted_organisation_ids.choices = [SelectChoice(o.id, f"{o.name} ({o.state})") for o in organisations]


def profile_form_data(profile: ReviewerProfile) -> dict:
    return {"expertise_themes": list(profile.expertise_themes or []),
            "conflicted_states": list(profile.conflicted_states or []),
            "conflicted_organisation_ids": list(profile.conflicted_organisation_ids or []),
            "conflict_notes": profile.conflict_notes or "",
            "max_applications_per_round": profile.max_applications_per_round}
