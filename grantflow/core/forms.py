"""The base of every form: a file part reaches only a file field.

A browser never sends a file under a text field's name, but a script or a
broken client may; WTForms would hand the text field a file object and its
validators would fail with a server error. Here such a part is dropped, so the
field is simply empty (and says so if it is required). Text sent where a file
is expected is already ignored by the file fields themselves."""
from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms.fields import FileField


class WebForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            data = super().wrap_formdata(form, formdata)
            if data is None or not hasattr(data, "items"):
                return data
            # a field of this form that is not a file field takes no file (the
            # inner fields of a repeated group are named at processing time:
            # their parts pass, their own fields check them)
            takes_no_file = {field.name for field in form if not isinstance(field, FileField)}
            return MultiDict([(key, value) for key, value in data.items(multi=True)
                              if not isinstance(value, FileStorage) or key not in takes_no_file])
