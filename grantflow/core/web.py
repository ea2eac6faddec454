"""Request-wide behaviour: one commit per request, error pages, template helpers."""
from __future__ import annotations

from flask import flash, g, render_template, request
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler

from ..extensions import db, login_manager
from . import outbox
from .db import format_usd
from .workflow import ConcurrentChange, TransitionRefused

ERROR_TITLES = {
    400: "Bad request", 401: "You were signed out", 403: "You do not have access to this page", 404: "Page not found",
    405: "Method not allowed", 409: "This changed while you were looking at it",
    413: "File too large", 429: "Too many attempts", 500: "Something went wrong",
}


SAVED_THEN_FAILED = ("Your change was saved, but something went wrong after saving it. It has been logged. "
                     "Reload the page to see where things stand before doing it again.")

ROLL_BACK = "grantflow_roll_back"
AFTER_RESPONSE = "grantflow_after_response"
#: the environ key under which a response's after-response work waits (see ``RequestHandler``)
PENDING_AFTER_RESPONSE = "grantflow.after_response"


def roll_back_request() -> None:
    """Keep nothing this request changed: a view whose operation refused says
    so (``core.refusal.refuse_on``), and so does every error page."""
    setattr(g, ROLL_BACK, True)


def after_response(func) -> None:
    """Run ``func()`` once this request's response has been sent (work that
    was committed but that nobody waits for)."""
    g.setdefault(AFTER_RESPONSE, []).append(func)


def _commit_or_rollback(response):
    """The one commit per request (operations only flush), unless an error
    page or the view asked to roll back; the status code decides nothing."""
    if g.pop(ROLL_BACK, False):
        db.session.rollback()
    else:
        outbox.commit()
    funcs = g.pop(AFTER_RESPONSE, [])
    if funcs:
        pending = _RunOnce(funcs)
        response.call_on_close(pending)
        request.environ[PENDING_AFTER_RESPONSE] = pending
    return response


class _RunOnce:
    """The after-response work of one request, run once whoever asks first."""

    def __init__(self, funcs):
        self.funcs = funcs

    def __call__(self) -> None:
        funcs, self.funcs = self.funcs, []
        for func in funcs:
            func()


class RequestHandler(WSGIRequestHandler):
    """werkzeug's development server (``grantflow demo``, the browser tests)
    skips a response's close() when the browser resets the connection after
    reading it, and with it the work queued to run once the response is sent:
    a job would stay queued for ever. Run that work here instead."""

    def connection_dropped(self, error, environ=None) -> None:
        pending = (environ or {}).get(PENDING_AFTER_RESPONSE)
        if pending is not None:
            pending()


def _forget_previous_user():
    """Flask-Login caches the user on ``g``, and Flask-WTF the signed CSRF token;
    ``g`` lives as long as the app context. In production every request has its
    own context; a test client reuses the test's, so without this a second
    client (or a second user in one test) would be served as the first one."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    g.pop(ROLL_BACK, None)
    g.pop(AFTER_RESPONSE, None)


def error_page(status: int, message: str | None = None, typed: list[tuple[str, str]] | None = None):
    roll_back_request()
    if status >= 500 and message is None and outbox.committed_in_this_request():
        message = SAVED_THEN_FAILED  # never "nothing was saved" once it was
    db.session.rollback()
    return render_template("errors/error.html", status=status, title=ERROR_TITLES.get(status, "Error"),
                           message=message, typed=typed or []), status


def init_app(app) -> None:
    login_manager.login_view = "users.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    app.before_request(_forget_previous_user)
    app.after_request(_commit_or_rollback)

    @app.errorhandler(TransitionRefused)
    def transition_refused(exc):
        return error_page(403, str(exc))

    @app.errorhandler(ConcurrentChange)
    def concurrent_change(exc):
        return error_page(409, str(exc))

    # an expired session or CSRF token: users.kept (it needs sign-in) answers it for every form

    @app.errorhandler(HTTPException)
    def http_error(exc):
        # werkzeug's stock descriptions are written for developers; show ours
        # unless the view gave its own reason (``abort(403, "...")``)
        custom = exc.description if exc.description != type(exc).description else None
        return error_page(exc.code or 500, custom)

    @app.errorhandler(Exception)
    def unexpected_error(exc):
        app.logger.exception("unhandled error on %s", request.path)
        if app.testing and app.config.get("PROPAGATE_UNEXPECTED", True):
            raise exc
        return error_page(500)

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["usd"] = format_usd
    app.jinja_env.filters["usd_whole"] = lambda cents: format_usd(cents, whole=True)
    app.jinja_env.filters["date"] = lambda value, fmt="%B %-d, %Y": value.strftime(fmt) if value else "—"
    app.jinja_env.filters["datetime"] = local_time
    app.jinja_env.filters["countdown"] = countdown
    app.jinja_env.filters["nl2br"] = lambda text: Markup("<br>").join((text or "").splitlines())

    @app.context_processor
    def navigation():
        items = []
        # outside a request (an email rendered by a CLI command or a job) there is no user
        if getattr(current_user, "is_authenticated", False):
            from .navigation import items_for

            items = items_for(current_user)
        return {"nav_items": items}


ORGANISATION_PROFILE = "organisations.profile"


def organisation_setup_url() -> str | None:
    """For an applicant who has not described their government yet: the page to
    do it, if the organisations domain provides it (registration leads there)."""
    from flask import current_app, url_for

    if (getattr(current_user, "is_authenticated", False) and current_user.has_role("applicant")
            and current_user.organisation_id is None
            and ORGANISATION_PROFILE in current_app.view_functions):
        return url_for(ORGANISATION_PROFILE)
    return None


def local_time(moment, zone: str | None = None) -> str:
    """A moment as its reader reads it: in the zone chosen on their account,
    else ``zone`` (a round's, for its deadlines), else UTC; with the zone's
    abbreviation, so a time is never ambiguous ("March 3, 2027, 5:00 PM EST")."""
    from zoneinfo import ZoneInfo

    from flask import has_request_context
    from flask_login import current_user

    if moment is None:
        return "—"
    chosen = getattr(current_user, "timezone", None) if has_request_context() else None
    try:
        tz = ZoneInfo(chosen or zone or "UTC")
    except (ValueError, KeyError, OSError):
        tz = ZoneInfo("UTC")
    if moment.tzinfo is None:  # stored moments are UTC
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(tz)
    return f"{local.strftime('%B %-d, %Y, %-I:%M %p')} {local.tzname()}"


def countdown(moment, now=None) -> str:
    """How long until a deadline, in words ("closes in 3 days"): days while more
    than two are left, then hours, then minutes; "closed" once it has passed."""
    from .db import utcnow

    if moment is None:
        return ""
    seconds = (moment - (now or utcnow())).total_seconds()
    if seconds <= 0:
        return "closed"
    for unit, size, above in (("day", 86_400, 2 * 86_400), ("hour", 3_600, 3_600), ("minute", 60, 0)):
        if seconds >= above:
            n = max(int(seconds // size), 1)
            return f"{n:,} {unit}{'' if n == 1 else 's'} left"
    return "1 minute left"
