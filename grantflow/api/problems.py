"""Errors as ``application/problem+json`` (RFC 9457), for every answer under ``/api/``.

The blueprint's handlers turn any HTTP error a view raises into a problem; the
app-wide ``before_request`` hook in ``setup`` does the same for the errors the
router raises before a view is chosen (an unknown path: 404, a wrong method:
405), which no blueprint handler sees. Nothing a request changed is kept."""
from __future__ import annotations

from flask import current_app, json, request
from werkzeug.exceptions import HTTPException

from ..core.web import roll_back_request
from ..extensions import db

PROBLEM_TYPE = "application/problem+json"
API_PREFIX = "/api/"

TITLES = {
    400: "Bad request", 401: "Authentication required", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 406: "Not acceptable", 429: "Too many requests", 500: "Internal server error",
}
#: what a client needs to hear when the view gave no reason of its own
DETAILS = {
    401: "Send a personal API token: 'Authorization: Bearer <token>' (create one on your account's API tokens page).",
    403: "Your account may not read this.",
    404: "There is no such resource, or you may not see it.",
    405: "This API is read-only: use GET.",
    429: "Too many requests: wait a moment and try again.",
    500: "Something went wrong on our side; it has been logged.",
}


def problem(status: int, detail: str | None = None, *, headers: dict | None = None, **extra):
    """A problem+json response (and the request rolled back)."""
    roll_back_request()
    db.session.rollback()
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
            "detail": detail or DETAILS.get(status, TITLES.get(status, "Error")), "instance": request.path}
    body.update(extra)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="GrantFlow API"'
    if status == 405:
        response.headers["Allow"] = "GET, HEAD"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_exception(exc: HTTPException):
    custom = exc.description if exc.description != type(exc).description else None
    headers = {}
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return problem(exc.code or 500, custom, headers=headers)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


class ApiError(Exception):
    """Raised by API code for a problem with its own detail (``invalid_params`` for 400s)."""

    def __init__(self, status: int, detail: str, *, invalid_params: list[dict] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.invalid_params = invalid_params

    def response(self):
        extra = {"invalid_params": self.invalid_params} if self.invalid_params else {}
        return problem(self.status, self.detail, **extra)
