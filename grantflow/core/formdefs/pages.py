"""Working with one page of a form in a request: build the form instance,
validate it, attach problems to its fields and list them for the summary."""
from __future__ import annotations

from dataclasses import dataclass, field

from wtforms import RadioField, SelectMultipleField

from . import answers as answers_mod
from .model import FormDefinition, Page
from .registry import form_class


@dataclass
class PageResult:
    """The outcome of reading a posted page."""

    values: dict                 # the page's answers as entered (invalid inputs keep their old value)
    answers: dict                # all answers with the page merged in
    problems: list = field(default_factory=list)   # required/rule problems (when enforced)


def make_page_form(definition: FormDefinition, page: Page, answers: dict, formdata=None, **kwargs):
    """A page form filled from the answers, or from ``formdata`` when posted.

    A repeatable group with no items shows one empty item, so the questions
    are visible without pressing "Add"."""
    cls = form_class(definition, page.id)
    if formdata is None:
        form = cls(formdata=None, data=answers_mod.form_data(page, answers or {}), **kwargs)
    else:
        form = cls(formdata=formdata, data=answers_mod.form_data(page, answers or {}), **kwargs)
    if formdata is None:
        show_one_empty_item(page, form)
    return form


def show_one_empty_item(page: Page, form) -> None:
    """A repeatable group without items shows one empty item, so its questions
    are visible without pressing "Add" (an empty item is never stored)."""
    for fdef in page.fields:
        if fdef.is_group and fdef.repeat and not fdef.source and not form[fdef.id].entries:
            form[fdef.id].append_entry()


def make_eligibility_form(definition: FormDefinition, answers: dict, formdata=None, **kwargs):
    cls = form_class(definition, "__eligibility__")
    data = {f.id: answers[f.id] for f in definition.eligibility_fields() if f.id in (answers or {})}
    return cls(formdata=formdata, data=data, **kwargs)


def fields_by_html_id(form) -> dict:
    """Every input of a form by its HTML id, groups' items included."""
    found = {}

    def walk(container):
        for fld in container:
            if fld.type == "FieldList":
                found[fld.id] = fld
                for entry in fld.entries:
                    walk(entry.form)
            elif fld.type == "FormField":
                found[fld.id] = fld
                walk(fld.form)
            elif fld.type != "CSRFTokenField":
                found[fld.id] = fld
    walk(form)
    return found


def _has_own_errors(fld) -> bool:
    return isinstance(fld.errors, list) and any(isinstance(e, str) for e in fld.errors)


def attach_problems(form, problems) -> None:
    """Show required/rule problems next to their inputs (after validate())."""
    inputs = fields_by_html_id(form)
    for problem in problems:
        target = inputs.get(problem.anchor)
        if target is None:
            continue
        if not isinstance(target.errors, list):
            target.errors = []
        if problem.message not in target.errors:
            target.errors.append(problem.message)


def error_list(form) -> list[tuple[str, str]]:
    """(HTML id, message) for the error summary, in page order."""
    listed = []
    for html_id, fld in fields_by_html_id(form).items():
        errors = fld.errors if isinstance(fld.errors, list) else []
        # radios and checkboxes: link to the first option (the fieldset has no input)
        anchor = f"{html_id}-0" if isinstance(fld, (RadioField, SelectMultipleField)) else html_id
        for message in errors:
            if isinstance(message, str):
                listed.append((anchor, message))
    return listed


def attachment_inputs(page: Page, form):
    """(field key, input) for every file input of the page; inside a group the
    key is ``group.field``."""
    for fdef in page.fields:
        if fdef.source:
            continue
        if fdef.type == "file":
            yield fdef.id, form[fdef.id]
        elif fdef.is_group:
            files = [sub for sub in fdef.fields if sub.type == "file"]
            subforms = [entry.form for entry in form[fdef.id].entries] if fdef.repeat else [form[fdef.id].form]
            for subform in subforms:
                for sub in files:
                    yield f"{fdef.id}.{sub.id}", subform[sub.id]


def _store_uploads(page: Page, form, store_upload) -> None:
    for key, fld in attachment_inputs(page, form):
        upload = getattr(fld, "upload", None)
        if upload is None:
            continue
        fld.upload = None
        try:
            fld.data = fld.current_id = store_upload(key, upload)
        except ValueError as exc:
            fld.errors = list(fld.errors or []) + [f"{exc} The file was not saved; choose it again."]


def read_page(definition: FormDefinition, page: Page, form, answers: dict, *, context: dict | None = None,
              enforce_required: bool = False, store_upload=None) -> PageResult:
    """Validate the posted page and merge its answers.

    Format errors (a number that is not a number) never erase the answer
    stored before; required answers and rules are only checked when
    ``enforce_required`` ("Save and continue"), never on "Save draft".
    ``store_upload(field_key, file)`` stores an uploaded file and returns its
    id, or raises ``ValueError`` with a message shown next to the field."""
    form.validate()
    if store_upload is not None:
        _store_uploads(page, form, store_upload)
    values = answers_mod.read_page(page, form, answers or {})
    merged = answers_mod.merge(answers or {}, values)
    result = PageResult(values=values, answers=merged)
    if enforce_required:
        inputs = fields_by_html_id(form)
        # an input already showing a format error needs no "required" message on top
        result.problems = [p for p in answers_mod.page_problems(definition, page, merged, context)
                           if not (p.is_missing and p.anchor in inputs and _has_own_errors(inputs[p.anchor]))]
        attach_problems(form, result.problems)
    return result
