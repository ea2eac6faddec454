"""One blueprint for the staff pages (the workflow move endpoint and the
workflow pages are shared by every domain: ``core.workflow.views``).

URL rules (the routes live in the ``views_*`` modules, one per page family):

====================================================  =========================  ========
/admin/                                   GET         dashboard                  admin
/admin/applications                       GET         applications               admin
/admin/applications/bulk                  POST        bulk_action                admin
/admin/applications/<id>                  GET         application                admin
====================================================  =========================  ========
"""
from __future__ import annotations

from flask import Blueprint

from ..core import navigation

bp = Blueprint("staff", __name__)

navigation.register("Applications", "staff.applications", ("admin",), order=20)

from . import views_applications, views_dashboard  # noqa: E402,F401  (routes on bp)
