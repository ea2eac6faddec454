"""The base of every form: a file part reaches only a file field.

A browser never sends a file under a text field's name, but a script or a
broken client may; WTForms would hand the text field a file object and its
validators would fail with a server error. Here such a part is dropped, so the
field is simply empty (and says so if it is required), inside the items of
repeated groups too (``partners-0-name``). Text sent where a file is expected
is already ignored by the file fields themselves."""
from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms.fields import FieldList, FileField, FormField


def _inner_takes_no_file(unbound, rest: str) -> bool:
    """Whether ``rest`` (a key with its group's prefix removed) names a field of
    the unbound ``unbound`` (an item of a FieldList or a FormField) that is not a file field."""
    if issubclass(unbound.field_class, FormField):
        item_class = unbound.args[0] if unbound.args else unbound.kwargs.get("form_class")
        for name in dir(item_class):
            inner = getattr(item_class, name, None)
            if not hasattr(inner, "field_class"):
                continue
            if rest == name:
                return not issubclass(inner.field_class, FileField)
            if rest.startswith(name + "-"):
                return _nested_takes_no_file(inner, rest[len(name) + 1:])
        return False
    return rest == "" and not issubclass(unbound.field_class, FileField)


def _nested_takes_no_file(unbound, rest: str) -> bool:
    if issubclass(unbound.field_class, FieldList):  # "<index>-<inner>" or "<index>"
        index, _, inner = rest.partition("-")
        return index.isdigit() and _inner_takes_no_file(unbound.args[0], inner)
    return _inner_takes_no_file(unbound, rest)


def takes_no_file(form, key: str) -> bool:
    """Whether ``key`` names a field of ``form`` that is not a file field
    (unknown keys are nobody's business here)."""
    for field in form:
        if key == field.name:
            return not isinstance(field, FileField)
        if isinstance(field, FieldList) and key.startswith(field.name + "-"):
            index, _, inner = key[len(field.name) + 1:].partition("-")
            return index.isdigit() and _inner_takes_no_file(field.unbound_field, inner)
        if isinstance(field, FormField) and key.startswith(field.name + "-"):
            return takes_no_file(field.form, key)
    return False


class WebForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            data = super().wrap_formdata(form, formdata)
            if data is None or not hasattr(data, "items"):
                return data
            return MultiDict([(key, value) for key, value in data.items(multi=True)
                              if not isinstance(value, FileStorage) or not takes_no_file(form, key)])
