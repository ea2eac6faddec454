"""Staff: the loaded workflow definitions, each drawn as a diagram with its
states and transitions as a table (the diagram's text alternative)."""
from __future__ import annotations

from flask import Response, abort, render_template, request
from sqlalchemy import func, select

from ..applications.models import Application
from ..core.permissions import admin_required
from ..core.workflow import WorkflowError, definitions, get_definition
from ..core.workflow.diagram import render_svg
from ..extensions import db
from .views import bp


def _definition_or_404(key: str, version: int):
    try:
        return get_definition(key, version)
    except WorkflowError:
        abort(404)


@bp.route("/admin/workflows")
@admin_required
def workflows():
    counts = dict(((key, version), n) for key, version, n in db.session.execute(
        select(Application.workflow_key, Application.workflow_version, func.count())
        .group_by(Application.workflow_key, Application.workflow_version)))
    return render_template("staff/workflows.html", definitions=definitions(), counts=counts)


@bp.route("/admin/workflows/<key>/v<int:version>")
@admin_required
def workflow(key: str, version: int):
    definition = _definition_or_404(key, version)
    per_state = dict(db.session.execute(
        select(Application.state, func.count()).where(Application.workflow_key == key,
                                                      Application.workflow_version == version)
        .group_by(Application.state)).all())
    highlight = request.args.get("state") if request.args.get("state") in definition.states else None
    return render_template("staff/workflow.html", definition=definition, per_state=per_state,
                           diagram=render_svg(definition, current=highlight), highlight=highlight)


@bp.route("/admin/workflows/<key>/v<int:version>.svg")
@admin_required
def workflow_svg(key: str, version: int):
    definition = _definition_or_404(key, version)
    highlight = request.args.get("state") if request.args.get("state") in definition.states else None
    svg = '<?xml version="1.0" encoding="UTF-8"?>\n' + str(render_svg(definition, current=highlight,
                                                                      standalone=True))
    return Response(svg, mimetype="image/svg+xml", headers={
        "Content-Disposition": f'inline; filename="{definition.key}.v{definition.version}.svg"',
        # its own <style> and nothing else: no script, no fetch, no framing
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"})
