"""One blueprint for the staff pages (the workflow move endpoint and the
workflow pages are shared by every domain: ``core.workflow.views``).

URL rules (the routes live in the ``views_*`` modules, one per page family):

====================================================  =========================  ========
/admin/                                   GET         dashboard                  admin
/admin/applications                       GET         applications               admin
/admin/applications/bulk                  POST        bulk_action                admin
/admin/applications/<id>                  GET         application                admin
/admin/rounds                             GET         rounds                     admin
/admin/rounds/<id>                        GET         round (the round's hub)    admin
/admin/rounds/<id>/edit                   GET, POST   edit_round                 admin
/admin/rounds/<id>/close                  POST        close_round                admin
/admin/rounds/<id>/message                GET, POST   round_message              admin
/admin/funds/<id>/rounds/new              GET, POST   new_round                  admin
/admin/funds/<id>/settings                GET, POST   fund_settings              admin
====================================================  =========================  ========
"""
from __future__ import annotations

from flask import Blueprint

from ..core import navigation

bp = Blueprint("staff", __name__)

navigation.register("Applications", "staff.applications", ("admin",), order=20)

from . import views_applications, views_dashboard, views_round_hub, views_round_messages, views_rounds  # noqa: E402,F401  (routes on bp)
