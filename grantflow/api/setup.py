"""App-wide pieces of the API: problem+json for the errors the router raises
before any view (or blueprint handler) is chosen, under ``/api/`` only."""
from __future__ import annotations

from flask import request

from .problems import from_http_exception, is_api_request


def _routing_problem():
    # Flask raises the routing error after the before_request hooks, so it can be answered here
    exc = request.routing_exception
    if exc is not None and is_api_request() and getattr(exc, "code", None):
        return from_http_exception(exc)
    return None


def init_app(app) -> None:
    app.before_request(_routing_problem)
