"""One way to refuse: an operation raises ``Refused`` (a message fit for the
user, and the form field it concerns), and the view shows it next to that
field with ``refuse_on``, answering ``REFUSED`` (422).

``refuse_on`` also tells the request to roll back (``core.web``), so what the
operation flushed before it refused is never committed."""
from __future__ import annotations

from flask import flash, request

#: the status of a page that shows a refused form again, with its errors
REFUSED = 422


class Refused(ValueError):
    """A refused request; ``str()`` is fit for the user, ``field`` names the form field (if any)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def refuse_on(form, exc: Refused, default_field: str | None = None) -> None:
    """Show the refusal next to its field (or ``default_field``; a flashed
    message when there is no form or it has neither) and roll the request back."""
    from .web import roll_back_request

    roll_back_request()
    if form is None:
        field = None
    elif hasattr(form, "refusal_field"):  # a form whose rows need their own mapping (award terms)
        field = form.refusal_field(exc.field)
    else:
        name = exc.field if exc.field and exc.field in form else default_field
        field = form[name] if name else None
    if field is not None:
        field.errors = list(field.errors or []) + [str(exc)]
    else:
        flash(str(exc), "error")


def form_status(*forms) -> int:
    """``REFUSED`` for a posted form shown again with errors, else 200."""
    return REFUSED if request.method == "POST" and any(form.errors for form in forms) else 200


def refused_page(body):
    """A page that shows a refusal elsewhere than next to a field: 422, rolled back."""
    from .web import roll_back_request

    roll_back_request()
    return body, REFUSED
