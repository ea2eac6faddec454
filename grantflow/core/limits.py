"""Rate limits on the forms that check a password or send email (Flask-Limiter).

Each form is limited per network address (``address``) and per account or
email address typed into it (``account``), in a moving window, so one guesser
cannot try many accounts and many guessers cannot try one account. Failed
sign-ins alone count against the account (``failures_only``): a user who signs
in is never slowed down by their own success, and the per-account window is
short, so an attacker who fails on purpose delays a real user by minutes, not
days.

Counters live in Redis when ``REDIS_URL`` is set (every process and machine
shares them) and in memory otherwise (one process: development). The limits
are settings (``RATELIMIT_*`` below), and ``GRANTFLOW_RATE_LIMITS=0`` turns
them off (the test suite does, except in the tests of the limits)."""
from __future__ import annotations

import math
import time

from flask import current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user, user_logged_in

limiter = Limiter(key_func=get_remote_address, strategy="moving-window", key_prefix="grantflow-limits")


@limiter.request_filter
def _limits_off() -> bool:
    return not current_app.config.get("RATE_LIMITS", True)

#: the limits by form, overridable in the configuration (``RATELIMIT_SIGN_IN_ACCOUNT`` ...)
DEFAULTS = {
    "RATELIMIT_SIGN_IN_ADDRESS": "30 per minute; 300 per hour",
    "RATELIMIT_SIGN_IN_ACCOUNT": "5 per minute; 15 per 15 minutes",
    "RATELIMIT_EMAIL_ADDRESS": "10 per minute; 50 per hour",
    "RATELIMIT_EMAIL_ACCOUNT": "3 per 15 minutes; 10 per day",
    "RATELIMIT_INVITE_SENDER": "30 per hour; 200 per day",
    "RATELIMIT_BULK_EMAIL_SENDER": "5 per hour; 20 per day",
    "RATELIMIT_STAFF_NOTICE_SENDER": "10 per hour; 50 per day",
}


def _setting(name: str):
    return lambda: current_app.config.get(name) or DEFAULTS[name]


def _form_address(field: str):
    """The email address typed into ``field``, normalised: the per-account key."""
    def key() -> str:
        return "account:" + (request.form.get(field) or "").strip().lower()
    return key


def _signed_in_user() -> str:
    return f"user:{getattr(current_user, 'id', None) or get_remote_address()}"


@user_logged_in.connect
def _note_sign_in(app, user, **extra):
    g.signed_in_now = True


def _failed(response) -> bool:
    """The request signed nobody in (Flask-Login's signal says when it did)."""
    return not g.get("signed_in_now", False)


def sign_in(email_field: str):
    """Decorators for a sign-in form: per address, and failures per account."""
    def decorate(view):
        view = limiter.limit(_setting("RATELIMIT_SIGN_IN_ACCOUNT"), key_func=_form_address(email_field),
                             methods=["POST"], deduct_when=_failed, scope="sign-in-account")(view)
        return limiter.limit(_setting("RATELIMIT_SIGN_IN_ADDRESS"), methods=["POST"],
                             scope="sign-in-address")(view)
    return decorate


def sends_email(email_field: str, *, by_signed_in_user: bool = False):
    """Decorators for a form that emails the address in ``email_field``: per
    network address (or per signed-in sender) and per recipient."""
    def decorate(view):
        view = limiter.limit(_setting("RATELIMIT_EMAIL_ACCOUNT"), key_func=_form_address(email_field),
                             methods=["POST"], scope="email-recipient")(view)
        if by_signed_in_user:
            view = limiter.limit(_setting("RATELIMIT_INVITE_SENDER"), key_func=_signed_in_user,
                                 methods=["POST"], scope="email-sender")(view)
        return limiter.limit(_setting("RATELIMIT_EMAIL_ADDRESS"), methods=["POST"], scope="email-address")(view)
    return decorate


def notifies_staff(view):
    """Decorator for a form whose post emails the fund's administrators (an
    applicant's reply, a request for a mentor): per signed-in sender, so one
    account cannot flood the fund's inboxes."""
    return limiter.limit(_setting("RATELIMIT_STAFF_NOTICE_SENDER"), key_func=_signed_in_user, methods=["POST"],
                         scope="staff-notice-sender")(view)


#: set on ``g`` by a view once its form has emailed many people (not for a preview)
BULK_EMAIL_SENT = "grantflow_bulk_email_sent"


def bulk_email(send_field: str, send_value: str):
    """Decorator for a form that emails many people at once (a message to a
    round's applicants): per signed-in sender, only on the posts that ask to
    send (``send_field`` is ``send_value``: a preview is never limited), and
    counting only those that sent (the view sets ``g.<BULK_EMAIL_SENT>``), so a
    refused send costs nothing."""
    def decorate(view):
        return limiter.limit(_setting("RATELIMIT_BULK_EMAIL_SENDER"), key_func=_signed_in_user, methods=["POST"],
                             exempt_when=lambda: request.form.get(send_field) != send_value,
                             deduct_when=lambda response: g.get(BULK_EMAIL_SENT, False),
                             scope="bulk-email-sender")(view)
    return decorate


def second_step(view):
    """The code step of a two-step sign-in: failures per pending account and per address."""
    def pending_account() -> str:
        from flask import session

        return f"two-step:{(session.get('two_factor') or {}).get('user_id')}"

    view = limiter.limit(_setting("RATELIMIT_SIGN_IN_ACCOUNT"), key_func=pending_account, methods=["POST"],
                         deduct_when=_failed, scope="two-step-account")(view)
    return limiter.limit(_setting("RATELIMIT_SIGN_IN_ADDRESS"), methods=["POST"], scope="two-step-address")(view)


def wait_text(seconds: int) -> str:
    if seconds < 90:
        return f"{max(1, seconds)} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return f"{minutes} minutes"
    hours = math.ceil(minutes / 60)
    return f"{hours} hours"


def too_many_requests(exc: RateLimitExceeded):
    from .web import error_page

    current = limiter.current_limit
    seconds = max(1, int(current.reset_at - time.time())) if current is not None else 60
    body, status = error_page(429, f"There have been too many attempts. For your security, wait "
                                   f"{wait_text(seconds)} and try again.")
    return body, status, {"Retry-After": str(seconds)}


def init_app(app) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, too_many_requests)
