"""Theme ids and labels: the options of the application form's ``themes`` field.

Reviewer expertise uses the same ids as applications (``Application.themes``),
so the expertise match is a plain set overlap."""
from __future__ import annotations

from ..core.formdefs import FormNotFound, load_form
from ..core.formdefs.registry import registry

#: the question whose answer is copied to ``Application.themes`` (``column: themes``)
THEMES_COLUMN = "themes"


def theme_labels(form_key: str | None = None) -> dict[str, str]:
    """theme id -> label, in the form's order. With no key, every application
    form's themes (a reviewer's profile is not tied to one fund)."""
    if form_key is not None:
        try:
            definitions = [load_form("applications", form_key)]
        except FormNotFound:
            definitions = []
    else:
        definitions = [d for (kind, _, _), d in registry().definitions.items() if kind == "applications"]
        definitions.sort(key=lambda d: (d.key, -d.version))
    labels: dict[str, str] = {}
    for definition in definitions:
        themes = definition.column_fields().get(THEMES_COLUMN)
        for option in themes.options if themes is not None else ():
            labels.setdefault(option.value, option.label)
    return labels


def theme_label(theme_id: str, labels: dict[str, str] | None = None) -> str:
    labels = theme_labels() if labels is None else labels
    return labels.get(theme_id, theme_id.replace("_", " "))


def expertise_match(application_themes, reviewer_themes) -> int:
    """0-100: the share of the application's themes the reviewer knows, so a
    one-theme application matched by its expert scores 100, and a
    three-theme application matched on one theme scores 33."""
    wanted = set(application_themes or ())
    if not wanted:
        return 0
    return rounded_percent(len(wanted & set(reviewer_themes or ())), len(wanted))


def rounded_percent(part, whole):
    """100 * part / whole rounded half up, in integers (works on numpy arrays
    too, so the solver's matrix and this function always agree)."""
    return (200 * part + whole) // (2 * whole)
