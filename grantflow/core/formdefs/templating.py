"""Template helpers for ``templates/_macros/formdefs.html`` and the
read-only answers partial."""
from __future__ import annotations

from .answers import visible
from .display import answer_sections, blind_redactor, display_value
from .model import FieldDef, FormDefinition


def _form_values(target: FieldDef, cond) -> list[str]:
    """The posted values for which a condition holds (what the browser sees)."""
    wanted = list(cond.one_of) if cond.one_of else [cond.equals]
    if target.type == "yes_no":
        return ["yes" if value is True else "no" for value in wanted if isinstance(value, bool)]
    return [str(value) for value in wanted]


def condition_for(definition: FormDefinition, fdef: FieldDef, answers: dict, prefix: str = "",
                  page_field_ids=None):
    """How to render a conditional question on the current page.

    None: not conditional. False: its condition depends on an answer given on
    another page and does not hold, so the question is not shown at all. A
    dict: the controlling input's name and the values that show the question,
    for the script, plus a sentence for when the script does not run."""
    cond = fdef.show_when
    if cond is None:
        return None
    sibling = None
    if prefix:
        group = next((g for g in definition.fields() if g.is_group and fdef in g.fields), None)
        sibling = group.subfield(cond.field) if group else None
    target = sibling or definition.field(cond.field)
    if target is None:
        return None
    on_page = sibling is not None or page_field_ids is None or cond.field in page_field_ids
    if not on_page:
        return None if visible(fdef, answers or {}) else False
    name = f"{prefix}{cond.field}" if sibling is not None else cond.field
    return {"name": name, "filled": cond.filled, "values": _form_values(target, cond),
            "note": cond.describe(target.label) if not cond.filled else f"Answer this if you answered “{target.label}”."}


def init_app(app) -> None:
    app.add_template_global(condition_for, "condition_for")
    app.add_template_global(display_value, "display")
    app.add_template_global(answer_sections, "answer_sections")
    app.add_template_global(blind_redactor, "blind_redactor")
