"""Template helpers for the workflow partials."""
from __future__ import annotations

from .presenters import workflow_context


def init_app(app) -> None:
    # {% include "workflows/_actions.html" %} and "_timeline.html" call this themselves
    app.jinja_env.globals["workflow_context"] = workflow_context
