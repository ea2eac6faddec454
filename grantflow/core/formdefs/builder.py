"""Build WTForms classes from definitions: one subclass per (form, version,
page), created with ``type()`` at start-up and cached. Shared classes are never
mutated, so two versions of a form (or two rounds) can never leak fields into
each other (Indico builds its review forms the same way)."""
from __future__ import annotations

from ..forms import WebForm
from wtforms import FieldList, Form, FormField, widgets

from . import validators as v
from . import wtfields
from .model import FieldDef, FormDefinition, Page


class PageForm(WebForm):
    """Base of every generated page form (CSRF on)."""


class ItemForm(Form):
    """Base of one item of a group (no CSRF of its own: the page form has it)."""


def _class_name(*parts) -> str:
    return "".join(str(p).replace("_", " ").title().replace(" ", "") for p in parts) + "Form"


def unbound_field(fdef: FieldDef, ident: tuple):
    """The WTForms unbound field for one field definition."""
    checks = [v.SkipWhenEmpty()]
    render_kw = {}
    if fdef.autocomplete:
        render_kw["autocomplete"] = fdef.autocomplete
    kwargs = dict(label=fdef.label, description=fdef.help, render_kw=render_kw)
    kind = fdef.type
    if kind in ("short_text", "long_text", "email", "url"):
        if fdef.min_length is not None or fdef.max_length is not None:
            checks.append(v.LengthLimit(fdef.min_length, fdef.max_length))
        if fdef.pattern:
            checks.append(v.PatternLimit(fdef.pattern, fdef.pattern_message))
    if kind == "short_text":
        return wtfields.TextField(validators=checks, **kwargs)
    if kind == "long_text":
        if fdef.max_length:
            render_kw["data-maxlength"] = fdef.max_length
        return wtfields.LongTextField(validators=checks, **kwargs)
    if kind == "email":
        render_kw.setdefault("autocomplete", "email")
        render_kw["spellcheck"] = "false"
        return wtfields.TextField(validators=checks + [v.EmailCheck()], widget=widgets.EmailInput(), **kwargs)
    if kind == "url":
        render_kw["spellcheck"] = "false"
        return wtfields.TextField(validators=checks + [v.UrlCheck()], widget=widgets.URLInput(), **kwargs)
    if kind == "phone":
        render_kw.setdefault("autocomplete", "tel")
        return wtfields.TextField(validators=checks + [v.PhoneCheck()], widget=widgets.TelInput(), **kwargs)
    if kind in ("number", "money"):
        render_kw["inputmode"] = "numeric" if kind == "number" else "decimal"
        if fdef.min is not None or fdef.max is not None:
            checks.append(v.RangeLimit(fdef.min, fdef.max, money=kind == "money"))
        cls = wtfields.WholeNumberField if kind == "number" else wtfields.MoneyField
        return cls(validators=checks, **kwargs)
    if kind == "date":
        return wtfields.IsoDateField(validators=checks, **kwargs)
    if kind == "yes_no":
        return wtfields.YesNoField(validators=checks, **kwargs)
    if kind == "choice":
        choices = [(o.value, o.label) for o in fdef.options]
        if fdef.widget == "select" or (fdef.widget is None and len(choices) > 8):
            return wtfields.SelectChoiceField(validators=checks, choices=wtfields.options([("", "Choose one")] + choices),
                                              **kwargs)
        return wtfields.ChoiceField(validators=checks, choices=wtfields.options(choices), **kwargs)
    if kind == "multi_choice":
        if fdef.min_selections is not None or fdef.max_selections is not None:
            checks.append(v.SelectionLimit(fdef.min_selections, fdef.max_selections))
        return wtfields.MultiChoiceField(validators=checks, choices=wtfields.options(
            (o.value, o.label) for o in fdef.options), **kwargs)
    if kind == "file":
        return wtfields.AttachmentField(**kwargs)
    if kind == "group":
        item_class = build_item_form(fdef, ident)
        if fdef.repeat:
            return FieldList(FormField(item_class, label=fdef.item_label), label=fdef.label,
                             description=fdef.help, max_entries=fdef.max_items)
        return FormField(item_class, label=fdef.label, description=fdef.help)
    raise ValueError(f"no WTForms field for type {kind!r}")


def build_item_form(group: FieldDef, ident: tuple) -> type[Form]:
    attrs = {f.id: unbound_field(f, ident) for f in group.fields}
    return type(_class_name(*ident, group.id, "item"), (ItemForm,), attrs)


def build_page_form(definition: FormDefinition, page: Page) -> type[PageForm]:
    ident = (definition.kind, definition.key, f"v{definition.version}", page.id)
    attrs = {f.id: unbound_field(f, ident) for f in page.fields if not f.source}
    attrs["_formdef"], attrs["_formpage"] = definition, page
    return type(_class_name(*ident), (PageForm,), attrs)


def build_eligibility_form(definition: FormDefinition) -> type[PageForm]:
    ident = (definition.kind, definition.key, f"v{definition.version}", "eligibility")
    attrs = {f.id: unbound_field(f, ident) for f in definition.eligibility_fields()}
    attrs["_formdef"], attrs["_formpage"] = definition, None
    return type(_class_name(*ident), (PageForm,), attrs)


def build_all(definition: FormDefinition) -> dict[str, type[PageForm]]:
    """Every class a definition needs, keyed by page id (``__eligibility__`` too)."""
    classes = {page.id: build_page_form(definition, page) for page in definition.pages}
    if definition.eligibility and definition.eligibility.fields:
        classes["__eligibility__"] = build_eligibility_form(definition)
    return classes
