"""``/api/v1``: the routes (one table), each a few lines over ``catalog``, ``admin`` and ``mine``.

Errors become problem+json (``problems``); every API route shares one rate
limit per token (or per address without one); see ``access`` for who may read
what. The token pages of the account are in ``views_tokens`` on this blueprint."""
from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, render_template, request
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from ..applications.models import Application
from ..core.limits import limiter, wait_text
from ..core.policy import allows, find, public
from ..core.web import error_page
from ..extensions import db
from ..funds.models import Fund, Round
from . import access, admin, catalog, mine, paging, schemas
from . import reference as reference_content
from .operations import digest
from .problems import ApiError, from_http_exception, is_api_request, problem
from .responses import parse, respond
from .spec import document, documented

bp = Blueprint("api", __name__)
V1 = "/api/v1"
DEFAULT_API_LIMIT = "300 per minute; 5000 per hour"


def _rate_key() -> str:
    header = request.headers.get("Authorization") or ""
    return "api-token:" + digest(header) if header else "api-address:" + (request.remote_addr or "")


api_limit = limiter.shared_limit(lambda: current_app.config.get("RATELIMIT_API") or DEFAULT_API_LIMIT,
                                 scope="api", key_func=_rate_key)


@bp.before_request
def _authenticate():
    if is_api_request():
        access.authenticate()


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return exc.response()


@bp.errorhandler(RateLimitExceeded)
def _too_many(exc):
    current = limiter.current_limit
    seconds = max(1, int(current.reset_at - time.time())) if current is not None else 60
    return problem(429, f"Too many requests: wait {wait_text(seconds)} and try again.",
                   headers={"Retry-After": str(seconds)})


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if is_api_request():
        return from_http_exception(exc)
    custom = exc.description if exc.description != type(exc).description else None
    return error_page(exc.code or 500, custom)


def _page(query, id_column, listing: str, params, filters: dict):
    return paging.page(query, id_column, listing, filters, params.cursor, params.limit, db.session)


# ---- public: the catalog ---------------------------------------------------------------------------------

@bp.get(f"{V1}/funds")
@public
@api_limit
@documented(tag="Catalog", ok=schemas.FundList, query=schemas.PageQuery)
def funds():
    """The funds."""
    params = parse(schemas.PageQuery)
    rows, cursor = _page(sa.select(Fund), Fund.id, "funds", params, {})
    return respond(schemas.FundList, {"data": [catalog.fund_row(r[0]) for r in rows], "next_cursor": cursor},
                   public=True)


@bp.get(f"{V1}/funds/<int:fund_id>")
@public
@api_limit
@documented(tag="Catalog", ok=schemas.Fund, may_be_missing=True)
def fund(fund_id: int):
    """One fund."""
    found = _get("fund", fund_id)  # public: every fund is in the catalog
    return respond(schemas.Fund, catalog.fund_row(found), public=True)


@bp.get(f"{V1}/rounds")
@public
@api_limit
@documented(tag="Catalog", ok=schemas.RoundList, query=schemas.RoundsQuery)
def rounds():
    """The funding rounds, optionally of one fund."""
    params = parse(schemas.RoundsQuery)
    query = sa.select(Round)
    if params.fund_id is not None:
        query = query.where(Round.fund_id == params.fund_id)
    rows, cursor = _page(query, Round.id, "rounds", params, {"fund_id": params.fund_id})
    return respond(schemas.RoundList, {"data": [catalog.round_row(r[0]) for r in rows], "next_cursor": cursor},
                   public=True)


@bp.get(f"{V1}/rounds/<int:round_id>")
@public
@api_limit
@documented(tag="Catalog", ok=schemas.Round, may_be_missing=True)
def round_(round_id: int):
    """One funding round."""
    found = _get("round", round_id)  # public: every round is in the catalog
    return respond(schemas.Round, catalog.round_row(found), public=True)


@bp.get(f"{V1}/grants")
@public
@api_limit
@documented(tag="Catalog", ok=schemas.GrantList, query=schemas.GrantsQuery)
def grants():
    """Published grants: accepted awards of the rounds that publish open data (no personal data)."""
    params = parse(schemas.GrantsQuery)
    filters = {"fund_id": params.fund_id, "round_id": params.round_id}
    query, id_column = catalog.grants_select(**filters)
    rows, cursor = _page(query, id_column, "grants", params, filters)
    return respond(schemas.GrantList, {"data": [catalog.grant_row(r) for r in rows], "next_cursor": cursor},
                   public=True)


def _missing(what: str):
    raise ApiError(404, f"There is no such {what}.")


def _get(kind_name: str, ident: int):
    """The public object, or a 404 (also for an id beyond what an id column holds)."""
    found = find(kind_name, ident) if ident <= schemas.MAX_ROW_ID else None
    return found if found is not None else _missing(kind_name)


# ---- administrators --------------------------------------------------------------------------------------

@bp.get(f"{V1}/admin/applications")
@allows("manage", "application", gate=False)  # answered in JSON by access.allowed
@api_limit
@documented(tag="Administrators", ok=schemas.AdminApplicationList, query=schemas.AdminApplicationsQuery,
            authenticated=True)
def admin_applications():
    """Applications with their workflow state and raw and calibrated scores."""
    access.allowed("manage", "application")
    params = parse(schemas.AdminApplicationsQuery)
    filters = {"round_id": params.round_id, "state": params.state}
    rows, cursor = _page(admin.applications_select(**filters), Application.id, "admin-applications", params,
                         filters)
    return respond(schemas.AdminApplicationList, {"data": admin.application_rows(rows), "next_cursor": cursor})


@bp.get(f"{V1}/admin/applications/<int:application_id>")
@allows("manage", "application", gate=False)  # answered in JSON by access.allowed
@api_limit
@documented(tag="Administrators", ok=schemas.AdminApplication, authenticated=True, may_be_missing=True)
def admin_application(application_id: int):
    """One application with its workflow state and scores."""
    access.allowed("manage", "application")
    _get("application", application_id)
    rows = db.session.execute(admin.applications_select(round_id=None, state=None)
                              .where(Application.id == application_id)).all()
    if not rows:
        _missing("application")
    return respond(schemas.AdminApplication, admin.application_rows(rows)[0])


@bp.get(f"{V1}/admin/awards")
@allows("manage", "application", gate=False)  # answered in JSON by access.allowed
@api_limit
@documented(tag="Administrators", ok=schemas.AwardList, query=schemas.AdminAwardsQuery, authenticated=True)
def admin_awards():
    """Awards with their amounts, payments so far and acceptance."""
    access.allowed("manage", "application")
    params = parse(schemas.AdminAwardsQuery)
    filters = {"round_id": params.round_id, "accepted": params.accepted}
    rows, cursor = _page(admin.awards_select(**filters), admin.Award.id, "admin-awards", params, filters)
    return respond(schemas.AwardList, {"data": [admin.award_row(r[0]) for r in rows], "next_cursor": cursor})


@bp.get(f"{V1}/admin/payments")
@allows("manage", "application", gate=False)  # answered in JSON by access.allowed
@api_limit
@documented(tag="Administrators", ok=schemas.PaymentList, query=schemas.AdminPaymentsQuery, authenticated=True)
def admin_payments():
    """Payment tranches of the awards, scheduled, due or paid."""
    access.allowed("manage", "application")
    params = parse(schemas.AdminPaymentsQuery)
    filters = {"round_id": params.round_id, "status": params.status}
    rows, cursor = _page(admin.payments_select(**filters), admin.PaymentTranche.id, "admin-payments", params,
                         filters)
    return respond(schemas.PaymentList, {"data": [admin.payment_row(*r) for r in rows], "next_cursor": cursor})


@bp.get(f"{V1}/admin/reports")
@allows("manage", "application", gate=False)  # answered in JSON by access.allowed
@api_limit
@documented(tag="Administrators", ok=schemas.ReportList, query=schemas.AdminReportsQuery, authenticated=True)
def admin_reports():
    """Grant reports with their state and due date."""
    access.allowed("manage", "application")
    params = parse(schemas.AdminReportsQuery)
    filters = {"round_id": params.round_id, "state": params.state}
    rows, cursor = _page(admin.reports_select(**filters), admin.Report.id, "admin-reports", params, filters)
    return respond(schemas.ReportList, {"data": [admin.report_row(r[0]) for r in rows], "next_cursor": cursor})


# ---- applicants ------------------------------------------------------------------------------------------

@bp.get(f"{V1}/my/applications")
@allows("edit", "application", gate=False)  # answered in JSON by access.allowed
@api_limit
@documented(tag="Applicants", ok=schemas.MyApplicationList, query=schemas.PageQuery, authenticated=True)
def my_applications():
    """Your organization's applications and their status as applicants see it."""
    user = access.allowed("edit", "application")
    params = parse(schemas.PageQuery)
    rows, cursor = _page(mine.applications_select(user), Application.id, "my-applications", params,
                         {"user": user.id})
    return respond(schemas.MyApplicationList, {"data": [mine.application_row(r[0]) for r in rows],
                                               "next_cursor": cursor})


@bp.get(f"{V1}/my/applications/<int:application_id>")
@allows("edit", "application", gate=False)  # answered in JSON by access.allowed
@api_limit
@documented(tag="Applicants", ok=schemas.MyApplicationDetail, authenticated=True, may_be_missing=True)
def my_application(application_id: int):
    """One of your organization's applications: its status and timeline."""
    application = access.load("application", application_id, "edit")
    user = access.allowed("edit", application)
    return respond(schemas.MyApplicationDetail, mine.application_detail(application, user))


# ---- the document and its reference page -----------------------------------------------------------------

@bp.get(f"{V1}/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 document (public: it describes, it holds no data)."""
    response = jsonify(document())
    response.cache_control.public = True
    response.cache_control.no_cache = True
    return response


@bp.get(f"{V1}/reference")
@public
def reference():
    """The readable reference, rendered from the document on the server (no script, no CDN)."""
    doc = document()
    return render_template("api/reference.html", document=doc, operations=reference_content.operations(doc),
                           schemas=reference_content.schemas(doc))


from . import views_tokens  # noqa: E402,F401  (the account's token pages, on this blueprint)
