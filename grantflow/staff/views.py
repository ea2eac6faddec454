"""One blueprint for the staff pages and the workflow move endpoint.

URL rules (the routes live in the ``views_*`` modules, one per page family):

====================================================  =========================  ========
/applications/<id>/transitions/<trigger>  GET, POST   fire_transition            signed in
/admin/                                   GET         dashboard                  admin
/admin/applications                       GET         applications               admin
/admin/applications/bulk                  POST        bulk_action                admin
/admin/applications/<id>                  GET         application                admin
/admin/workflows                          GET         workflows                  admin
/admin/workflows/<key>/v<version>         GET         workflow                   admin
/admin/workflows/<key>/v<version>.svg     GET         workflow_svg               admin
====================================================  =========================  ========
"""
from __future__ import annotations

from flask import Blueprint

from ..core import navigation

bp = Blueprint("staff", __name__)

navigation.register("Applications", "staff.applications", ("admin",), order=20)
navigation.register("Workflows", "staff.workflows", ("admin",), order=80)

from . import views_applications, views_dashboard, views_transitions, views_workflows  # noqa: E402,F401  (routes on bp)
