"""Human labels for the codes stored in the database (themes, states, types)."""
from __future__ import annotations

from ..organisations.models import APPLICANT_TYPES, US_STATES

__all__ = ["APPLICANT_TYPES", "US_STATES", "theme_labels", "theme_label"]


def theme_labels() -> dict[str, str]:
    """Theme key -> label, from the options of the application forms' themes field
    (every loaded form and version, the newest version's label winning)."""
    from ..core.formdefs.registry import registry

    labels: dict[str, str] = {}
    for (kind, _key, _version), definition in sorted(registry().definitions.items()):
        themes_field = definition.column_fields().get("themes") if kind == "applications" else None
        if themes_field is not None:
            labels.update({option.value: option.label for option in themes_field.options})
    return labels


def theme_label(key: str, labels: dict[str, str] | None = None) -> str:
    labels = theme_labels() if labels is None else labels
    return labels.get(key) or key.replace("_", " ").replace("-", " ").capitalize()
