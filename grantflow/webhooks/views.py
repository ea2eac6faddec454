"""The administrators' webhook pages: the endpoints, one endpoint (settings,
signing secret, delivery log) and one delivery (its body and every try).

==========================================================================  ==========  ==============  =====
/admin/webhooks                                                             GET         endpoints       admin
/admin/webhooks/new                                                         GET, POST   new_endpoint    admin
/admin/webhooks/<id>                                                        GET, POST   endpoint        admin
/admin/webhooks/<id>/secret                                                 POST        rotate_secret   admin
/admin/webhooks/<id>/deliveries/<delivery_id>                               GET         delivery        admin
/admin/webhooks/<id>/deliveries/<delivery_id>/redeliver                     POST        redeliver       admin
==========================================================================  ==========  ==============  =====
"""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..core import navigation
from ..core.policy import allows, load
from ..core.refusal import Refused, form_status, refuse_on, refused_page
from ..extensions import db
from . import operations
from .events import EVENTS
from .forms import EndpointForm
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

bp = Blueprint("webhooks", __name__)

navigation.register("Webhooks", "webhooks.endpoints", ("admin",), order=85)

#: deliveries shown in an endpoint's log, newest first
LOG_SIZE = 50


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    return load("webhook", endpoint_id, "manage")


def _delivery_or_404(endpoint: WebhookEndpoint, delivery_id: int, action: str = "view") -> WebhookDelivery:
    delivery = load("webhook_delivery", delivery_id, action)
    if delivery.endpoint_id != endpoint.id:
        abort(404)  # another endpoint's delivery under this one's URL
    return delivery


@bp.route("/admin/webhooks")
@allows("manage", "webhook")
def endpoints():
    found = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    failing = dict(db.session.execute(
        select(WebhookDelivery.endpoint_id, func.count()).where(WebhookDelivery.status == "failed")
        .group_by(WebhookDelivery.endpoint_id)).all())
    return render_template("webhooks/endpoints.html", endpoints=found, failing=failing, events=EVENTS)


@bp.route("/admin/webhooks/new", methods=["GET", "POST"])
@allows("manage", "webhook")
def new_endpoint():
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint = operations.create_endpoint(current_user, url=form.url.data, events=form.events.data,
                                                  description=form.description.data)
        except Refused as exc:
            refuse_on(form, exc, "url")
        else:
            flash("The endpoint is registered. Copy its signing secret below into the receiving system.", "success")
            return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id, _anchor="secret-heading"))
    return render_template("webhooks/new.html", form=form), form_status(form)


def _endpoint_page(endpoint: WebhookEndpoint, form: EndpointForm, status: int = 200):
    deliveries = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                                    .order_by(WebhookDelivery.id.desc()).limit(LOG_SIZE)).all()
    last_attempts = {}
    if deliveries:
        newest = select(func.max(WebhookAttempt.id)).where(
            WebhookAttempt.delivery_id.in_([d.id for d in deliveries])).group_by(WebhookAttempt.delivery_id)
        last_attempts = {a.delivery_id: a for a in db.session.scalars(
            select(WebhookAttempt).where(WebhookAttempt.id.in_(newest)))}
    return render_template("webhooks/endpoint.html", endpoint=endpoint, form=form, deliveries=deliveries,
                           last_attempts=last_attempts, events=EVENTS, log_size=LOG_SIZE), status


@bp.route("/admin/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
@allows("manage", "webhook")
def endpoint(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    form = EndpointForm(obj=endpoint)
    if form.validate_on_submit():
        try:
            operations.update_endpoint(endpoint, current_user, url=form.url.data, events=form.events.data,
                                       description=form.description.data, is_active=form.is_active.data)
        except Refused as exc:
            refuse_on(form, exc, "url")
        else:
            flash("The endpoint is saved.", "success")
            return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id))
    return _endpoint_page(endpoint, form, form_status(form))


@bp.route("/admin/webhooks/<int:endpoint_id>/secret", methods=["POST"])
@allows("manage", "webhook")
def rotate_secret(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    operations.rotate_secret(endpoint, current_user)
    flash("A new signing secret is in use from now on: copy it into the receiving system. "
          "Deliveries signed with the old one are no longer made.", "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id, _anchor="secret-heading"))


def _delivery_page(endpoint, delivery):
    try:
        body = json.dumps(json.loads(delivery.body), indent=2, sort_keys=True)
    except ValueError:
        body = delivery.body
    return render_template("webhooks/delivery.html", endpoint=endpoint, delivery=delivery, body=body,
                           events=EVENTS)


@bp.route("/admin/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>")
@allows("view", "webhook_delivery")
def delivery(endpoint_id: int, delivery_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    return _delivery_page(endpoint, _delivery_or_404(endpoint, delivery_id))


@bp.route("/admin/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
@allows("redeliver", "webhook_delivery")
def redeliver(endpoint_id: int, delivery_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    delivery = _delivery_or_404(endpoint, delivery_id, "redeliver")
    try:
        operations.redeliver(delivery, current_user)
    except Refused as exc:
        flash(str(exc), "error")
        return refused_page(_delivery_page(endpoint, delivery))
    flash("The delivery is being sent again: reload this page in a few seconds to see the answer.", "success")
    return redirect(url_for("webhooks.delivery", endpoint_id=endpoint.id, delivery_id=delivery.id))
