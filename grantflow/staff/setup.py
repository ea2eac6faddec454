"""Template helpers for the workflow partials; the application list's theme choices."""
from __future__ import annotations

import os

from . import stored_themes
from .presenters import workflow_context


def init_app(app) -> None:
    # {% include "workflows/_actions.html" %} and "_timeline.html" call this themselves
    app.jinja_env.globals["workflow_context"] = workflow_context
    # the themes stored in applications are rescanned this often per process (0: every request)
    app.config.setdefault("STAFF_THEME_CHOICES_SECONDS",
                          0 if app.testing else int(os.environ.get("GRANTFLOW_THEME_CHOICES_SECONDS", 300)))
    stored_themes.listen()
