"""Demo answers made from a form's own examples (each question's ``example:``),
so the demo fills any form version, whatever its questions are called.

An example is a value of the answer's shape; in its texts ``{name}`` takes a
fact of the demo project (``facts``), and a text that is exactly one
``{name}`` takes the fact itself (a list of themes, an amount in cents)."""
from __future__ import annotations

import re

WHOLE = re.compile(r"^\{(\w+)\}$")


def _render(example, facts: dict):
    if isinstance(example, str):
        whole = WHOLE.match(example)
        if whole:
            return facts[whole.group(1)]
        return example.format_map(facts)
    if isinstance(example, list):
        return [_render(item, facts) for item in example]
    if isinstance(example, dict):
        return {key: _render(value, facts) for key, value in example.items()}
    return example


def from_examples(definition, facts: dict) -> dict:
    """Every top-level question with an example, answered (profile-sourced ones are
    copied from the organisation by the form engine, not made up here)."""
    return {f.id: _render(f.example, facts) for f in definition.fields()
            if f.example is not None and not f.source}
