"""Public pages (no sign-in): the catalog of funded projects with its filters,
each project's page, the map, and the 360Giving downloads. Everything comes from
``queries.published_grants`` and friends: accepted awards of publishing rounds."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..core import storage
from ..core.policy import public
from ..core.params import page_number
from ..organisations.models import US_STATES
from .downloads import DOWNLOADS, NothingPublished, published_package
from .filters import CatalogFilterForm, CatalogFilters, parse_catalog_filters
from .projects import partner_countries, project_detail
from .publishing import published_fund, publishing_funds
from .queries import award_years, counts_by_state, published_application_ids, published_grant, published_grants
from .usmap import build_map, drawn_codes

bp = Blueprint("catalog", __name__)


def _filter_form() -> tuple[CatalogFilterForm, CatalogFilters | None]:
    form = CatalogFilterForm(request.args)
    filters = parse_catalog_filters(request.args, form)
    years = award_years()
    if filters is not None and filters.year is not None and filters.year not in years:
        years = sorted([*years, filters.year], reverse=True)  # the select shows the year asked for
    form.set_choices(years)
    return form, filters


@bp.route("/catalog/")
@public  # the public catalog: what is shown is decided by what is published
def index():
    form, filters = _filter_form()
    funds = publishing_funds()
    if filters is None:
        return render_template("catalog/index.html", form=form, listing=None, funds=funds), 400
    page = page_number()
    listing = published_grants(filters, page=page)
    if page > 1 and not listing.grants:
        abort(404)
    return render_template("catalog/index.html", form=form, listing=listing, funds=funds,
                           downloads=DOWNLOADS.values())


@bp.route("/catalog/projects/<int:application_id>")
@public  # the public catalog: what is shown is decided by what is published
def project(application_id: int):
    grant = published_grant(application_id)
    if grant is None:
        abort(404)
    return render_template("catalog/project.html", grant=grant, detail=project_detail(application_id))


@bp.route("/catalog/map")
@public  # the public catalog: what is shown is decided by what is published
def us_map():
    form, filters = _filter_form()
    if filters is None:
        return render_template("catalog/map.html", form=form, us_map=None), 400
    by_state = counts_by_state(filters)
    drawn = drawn_codes()
    return render_template("catalog/map.html", form=form, filters=filters,
                           us_map=build_map({code: n for code, (n, _) in by_state.items()}),
                           by_state=sorted(by_state.items(), key=lambda item: (-item[1][0], item[0])),
                           not_drawn={code for code in by_state if code not in drawn},
                           countries=partner_countries(published_application_ids(filters)), US_STATES=US_STATES)


@bp.route("/catalog/<slug>/360giving.<any(json, xlsx):extension>")
@public  # the public catalog: what is shown is decided by what is published
def download(slug: str, extension: str):
    found = published_fund(slug)
    if found is None:
        abort(404)
    fund, round_ids = found
    try:
        key = published_package(fund, round_ids, extension)
    except NothingPublished as exc:
        abort(404, str(exc))
    response = storage.area("exports").send(key, mimetype=DOWNLOADS[extension].mimetype,
                                            as_attachment=extension != "json", max_age=300,
                                            download_name=f"{fund.slug}-360giving.{extension}")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# -- the open-data addresses published before the catalog, kept working --------------------------

@bp.route("/open-data/")
@bp.route("/open-data/<slug>/")
@public  # the public catalog: what is shown is decided by what is published
def open_data(slug: str | None = None):
    return redirect(url_for("catalog.index"), 301)


@bp.route("/open-data/<slug>/360giving.json")
@public  # the public catalog: what is shown is decided by what is published
def open_data_360(slug: str):
    return redirect(url_for("catalog.download", slug=slug, extension="json"), 301)
