"""Working with one page of a form in a request: build the form instance,
validate it, attach problems to its fields and list them for the summary."""
from __future__ import annotations

from dataclasses import dataclass, field

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
        for fdef in page.fields:
            if fdef.is_group and fdef.repeat and not fdef.source and not form[fdef.id].entries:
                form[fdef.id].append_entry()
    return form


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
        for message in errors:
            if isinstance(message, str):
                listed.append((html_id, message))
    return listed


def read_page(definition: FormDefinition, page: Page, form, answers: dict, *, context: dict | None = None,
              enforce_required: bool = False) -> PageResult:
    """Validate the posted page and merge its answers.

    Format errors (a number that is not a number) never erase the answer
    stored before; required answers and rules are only checked when
    ``enforce_required`` ("Save and continue"), never on "Save draft"."""
    form.validate()
    values = answers_mod.read_page(page, form, answers or {})
    merged = answers_mod.merge(answers or {}, values)
    result = PageResult(values=values, answers=merged)
    if enforce_required:
        result.problems = answers_mod.page_problems(definition, page, merged, context)
        attach_problems(form, result.problems)
    return result
