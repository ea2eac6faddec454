"""Pages that follow a background job (an export, a large bulk move) until it ends.

While the job is queued or running the page reloads itself with a ``Refresh``
header, which works without JavaScript; the page links to a copy that does not
reload (``?refresh=off``, WCAG 2.2.1), which a ``<meta>`` refresh could not offer.
Templates show the links with ``templates/core/_job_reload.html``."""
from __future__ import annotations

from flask import make_response, render_template, request

from . import jobs
from .models import BackgroundJob

#: seconds between reloads of a page whose job is still working
RELOAD_SECONDS = 3


def job_page(template: str, job: BackgroundJob, **context):
    """Render ``template`` with ``job``, ``refresh`` and ``refresh_seconds``; reloading while the job works."""
    stalled = jobs.is_stalled(job)  # its worker died: no point reloading, offer Retry
    refresh = job.status in ("queued", "running") and not stalled and request.args.get("refresh") != "off"
    response = make_response(render_template(template, job=job, refresh=refresh, refresh_seconds=RELOAD_SECONDS,
                                             stalled=stalled, **context))
    if refresh:
        response.headers["Refresh"] = str(RELOAD_SECONDS)
    return response

