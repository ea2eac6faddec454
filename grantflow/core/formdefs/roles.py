"""Answers found by the role their question declares (``role: summary``), so
that exports, letters, reports and the award form read an answer whatever a
form version calls it. In SQL, an answer's path depends on the form version of
each row: one expression per version, chosen by ``form_key``/``form_version``
(a plain path when every version agrees)."""
from __future__ import annotations

import sqlalchemy as sa


def _application_forms():
    from .registry import registry

    return [d for (kind, _, _), d in sorted(registry().definitions.items()) if kind == "applications"]


def answer(application, role: str):
    """The application's answer to the question with ``role`` (None when its form has none)."""
    from . import definition_for

    return definition_for(application).answer_for(application.answers, role)


def role_value(model, role: str, *path: str, convert=lambda element: element.as_string()):
    """SQL: ``convert(model.answers[<field with role>, *path])`` for each row's form version."""
    by_field: dict[str, list] = {}
    for definition in _application_forms():
        found = definition.role_field(role)
        if found is not None:
            by_field.setdefault(found.id, []).append(definition)
    if not by_field:
        return sa.null()
    if len(by_field) == 1:
        field_id = next(iter(by_field))
        return convert(model.answers[(field_id, *path)] if path else model.answers[field_id])
    whens = []
    for field_id, definitions in by_field.items():
        versions = sa.or_(*(sa.and_(model.form_key == d.key, model.form_version == d.version) for d in definitions))
        whens.append((versions, convert(model.answers[(field_id, *path)] if path else model.answers[field_id])))
    return sa.case(*whens)

