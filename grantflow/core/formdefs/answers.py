"""Answers: reading them from a page form, checking what is required, and
copying them to columns.

Answers are one JSON dict per application (or report): field id -> value in
the field's own format (text, int, cents, ISO date, bool, list, attachment id;
a group is a dict, a repeatable group a list of dicts). Empty answers are not
stored, so "never answered" and "cleared" look the same."""
from __future__ import annotations

from dataclasses import dataclass

from . import fieldtypes
from .model import FieldDef, FormDefinition, Page, is_empty
from .rules import RULES


@dataclass(frozen=True)
class Problem:
    """Something to fix before submitting, with where to fix it."""

    page_id: str
    anchor: str          # the HTML id of the input (``partners-0-name``)
    label: str           # the question, as listed on the review page
    message: str         # what to do, shown next to the field
    is_missing: bool = False

    def __str__(self) -> str:
        return self.label if self.is_missing else f"{self.label}: {self.message}"


def required_message(fdef: FieldDef) -> str:
    if fdef.type in ("choice", "yes_no"):
        return f"Choose an answer for “{fdef.label}”."
    if fdef.type == "multi_choice":
        return f"Choose at least one option for “{fdef.label}”."
    if fdef.type == "file":
        return f"Upload a file for “{fdef.label}”."
    return f"Enter an answer for “{fdef.label}”."


def visible(fdef: FieldDef, answers: dict, item: dict | None = None) -> bool:
    """Whether a conditional field applies, given the answers (and, inside a
    group, the other answers of the same item)."""
    cond = fdef.show_when
    if cond is None:
        return True
    if item is not None and cond.field in item:
        return cond.holds(item.get(cond.field))
    return cond.holds(answers.get(cond.field))


def form_data(page: Page, answers: dict) -> dict:
    """The ``data=`` for a page form: answers are already in the fields' format."""
    data = {}
    for fdef in page.fields:
        if fdef.source or fdef.id not in answers:
            continue
        value = answers[fdef.id]
        if fdef.is_group and fdef.repeat:
            value = [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
        data[fdef.id] = value
    return data


#: inputs a browser always posts (possibly empty): missing from a post means "not sent".
#: Checkboxes are absent when none is ticked, so multi_choice is not in this list.
NOT_POSTED_MEANS_UNCHANGED = {"short_text", "long_text", "number", "money", "date", "email", "phone", "url"}


def _read_field(fdef: FieldDef, field, previous):
    """One field's answer from a processed (and validated) form field; an
    unparseable input keeps the previous answer rather than erasing it."""
    if fdef.is_group:
        if fdef.repeat:
            old = previous if isinstance(previous, list) else []
            items = []
            for index, entry in enumerate(field.entries):
                before = old[index] if index < len(old) and isinstance(old[index], dict) else {}
                item = _read_item(fdef, entry.form, before)
                if item:
                    items.append(item)
            return items
        return _read_item(fdef, field.form, previous if isinstance(previous, dict) else {})
    if field.errors and fdef.type != "file":
        return previous
    if fdef.type in NOT_POSTED_MEANS_UNCHANGED and not field.raw_data:
        return previous  # the input was not in the post at all (a partial post), not emptied
    return field.data


def _read_item(group: FieldDef, subform, previous: dict) -> dict:
    item = {}
    for sub in group.fields:
        value = _read_field(sub, subform[sub.id], previous.get(sub.id))
        if not is_empty(value):
            item[sub.id] = value
    return item


def read_page(page: Page, form, previous: dict) -> dict:
    """The page's answers as entered (sourced fields excluded). Call after
    ``form.validate()`` so that parse and format errors are known."""
    values = {}
    for fdef in page.fields:
        if fdef.source:
            continue
        values[fdef.id] = _read_field(fdef, form[fdef.id], previous.get(fdef.id))
    return values


def merge(answers: dict, values: dict) -> dict:
    """A new dict (JSON columns must be reassigned to be saved), empties removed."""
    merged = dict(answers or {})
    for key, value in values.items():
        if is_empty(value):
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def sourced_values(definition: FormDefinition, context: dict) -> dict:
    """Values of read-only fields copied from the context (the organisation profile)."""
    values = {}
    for fdef in definition.fields():
        if fdef.source and fdef.source in fieldtypes.SOURCES:
            values[fdef.id] = fieldtypes.SOURCES[fdef.source](context)
    return values


def column_values(definition: FormDefinition, answers: dict) -> dict:
    """Denormalised copies: column name -> answer (None when unanswered)."""
    return {column: answers.get(fdef.id) for column, fdef in definition.column_fields().items()}


def _required_problems(page: Page, fdef: FieldDef, answers: dict) -> list[Problem]:
    if not visible(fdef, answers):
        return []
    value = answers.get(fdef.id)
    found = []
    if fdef.is_group and fdef.repeat:
        items = [i for i in value or [] if isinstance(i, dict)]
        needed = fdef.min_items or (1 if fdef.required else 0)
        if len(items) < needed:
            what = f"at least {needed} {fdef.item_label.lower()}{'s' if needed > 1 else ''}"
            found.append(Problem(page.id, fdef.id, fdef.label, f"Add {what} to “{fdef.label}”.",
                                 is_missing=True))
        if fdef.max_items is not None and len(items) > fdef.max_items:
            found.append(Problem(page.id, fdef.id, fdef.label,
                                 f"“{fdef.label}” can have at most {fdef.max_items} entries."))
        for index, item in enumerate(items):
            found += _item_problems(page, fdef, item, answers, index)
        return found
    if fdef.is_group:
        item = value if isinstance(value, dict) else {}
        return _item_problems(page, fdef, item, answers, None)
    if fdef.required and is_empty(value):
        found.append(Problem(page.id, fdef.id, fdef.label, required_message(fdef), is_missing=True))
    return found


def _item_problems(page: Page, group: FieldDef, item: dict, answers: dict, index: int | None) -> list[Problem]:
    found = []
    for sub in group.fields:
        if sub.required and visible(sub, answers, item) and is_empty(item.get(sub.id)):
            if index is None:
                anchor, label = f"{group.id}-{sub.id}", f"{group.label}: {sub.label}"
            else:
                anchor, label = f"{group.id}-{index}-{sub.id}", f"{group.item_label} {index + 1}: {sub.label}"
            found.append(Problem(page.id, anchor, label, required_message(sub), is_missing=True))
    return found


def rule_problems(definition: FormDefinition, answers: dict, context: dict | None = None,
                  only_fields: set[str] | None = None) -> list[Problem]:
    """Problems found by the definition's rules; ``only_fields`` keeps the rules
    whose fields are all in that set (the eligibility screen, one page)."""
    found = []
    for rule in definition.rules:
        spec = RULES[rule.name]
        fields = {rule.params[p] for p in spec.field_params}
        if only_fields is not None and not fields <= only_fields:
            continue
        for field_id, message in spec.func(answers, rule.params, context or {}):
            fdef = definition.field(field_id)
            page = definition.page_of(field_id)
            found.append(Problem(page.id if page else "", field_id, fdef.label if fdef else field_id, message))
    return found


def problems(definition: FormDefinition, answers: dict, context: dict | None = None,
             page_ids: set[str] | None = None) -> list[Problem]:
    """Required answers missing and rules broken, in the order of the form
    (only on the pages ``page_ids`` when given)."""
    found = []
    for page in definition.pages:
        if page_ids is not None and page.id not in page_ids:
            continue
        for fdef in page.fields:
            found += _required_problems(page, fdef, answers)
    for problem in rule_problems(definition, answers, context):
        if page_ids is None or problem.page_id in page_ids:
            found.append(problem)
    return found


def page_problems(definition: FormDefinition, page: Page, answers: dict, context: dict | None = None) -> list[Problem]:
    return problems(definition, answers, context, page_ids={page.id})


def keep_attachments(definition: FormDefinition, answers: dict, allowed: set[int]) -> dict:
    """The answers with every file answer not in ``allowed`` removed: an id
    posted back in a hidden input is only trusted if it belongs to this
    application (or report)."""
    cleaned = dict(answers)
    for fdef in definition.fields():
        value = cleaned.get(fdef.id)
        if fdef.type == "file" and value is not None and value not in allowed:
            cleaned.pop(fdef.id)
        elif fdef.is_group and any(sub.type == "file" for sub in fdef.fields):
            items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
            fixed = []
            for item in items:
                item = dict(item)
                for sub in fdef.fields:
                    if sub.type == "file" and item.get(sub.id) is not None and item[sub.id] not in allowed:
                        item.pop(sub.id)
                fixed.append(item)
            if isinstance(value, list):
                cleaned[fdef.id] = fixed
            elif fixed:
                cleaned[fdef.id] = fixed[0]
    return cleaned
