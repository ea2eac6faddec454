"""Security headers on every response.

- ``Content-Security-Policy``: scripts, styles, images and fonts from this site
  only, no inline script or style (templates keep theirs in ``static/``, and
  ``tests/core/test_headers.py`` refuses new inline ones), no plugins, forms post
  only here, and no framing (``frame-ancestors 'none'``, ``X-Frame-Options`` for
  older browsers). A response that set its own policy (a download is sandboxed)
  keeps it.
- ``X-Content-Type-Options: nosniff`` everywhere, downloads included.
- ``Referrer-Policy: same-origin``: ids in our URLs never leave the site.
- ``Cache-Control: no-store`` on every page and download: a shared computer's
  back button or cache must not show another person's grants (and a page read
  before signing in holds a CSRF token). Static files, and what a view marks
  ``public`` (the open-data files), stay cacheable.
- ``Strict-Transport-Security`` in production (HTTPS only, a year).
"""
from __future__ import annotations

from flask import request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"


def secure_headers(response, *, production: bool):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "same-origin")
    if production:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and not response.cache_control.public:
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


def init_app(app) -> None:
    production = app.config.get("GRANTFLOW_ENV") == "production"
    app.after_request(lambda response: secure_headers(response, production=production))
