"""What form definitions may say about an organisation: the option lists
``applicant_types`` and ``us_states`` and the read-only ``organisation.*``
sources that copy the profile into an application's answers."""
from __future__ import annotations

from ..core.formdefs import register_option_set, register_source
from .models import APPLICANT_TYPES, US_STATES

register_option_set("applicant_types", APPLICANT_TYPES)
register_option_set("us_states", US_STATES)


def _from_organisation(attribute: str):
    def getter(context: dict):
        organisation = context.get("organisation")
        return getattr(organisation, attribute, None) if organisation is not None else None
    return getter


for _attribute, _type in (("name", "short_text"), ("applicant_type", "choice"), ("state", "choice"),
                          ("population", "number"), ("uei", "short_text"), ("ein", "short_text")):
    register_source(f"organisation.{_attribute}", _from_organisation(_attribute), _type)
