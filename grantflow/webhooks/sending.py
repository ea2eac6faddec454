"""One HTTP request of a delivery, with urllib3 directly: the connection goes
to the address ``addresses.resolve`` checked (TLS still verifies the host
name), the timeouts are short, and redirects are never followed (a receiver
that answers 3xx has failed: the log says where it pointed)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from flask import current_app

from ..core.refusal import Refused
from . import addresses, signing

USER_AGENT = "GrantFlow-Webhooks/1"
EXCERPT_CHARS = 1000


@dataclass(frozen=True)
class Outcome:
    response_status: int | None
    duration_ms: int
    error: str | None
    excerpt: str | None

    @property
    def is_success(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300


def _pool(scheme: str, host: str, address: str, port: int, timeout: float):
    timeouts = urllib3.Timeout(connect=timeout, read=timeout)
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(address, port, timeout=timeouts, retries=False, maxsize=1,
                                           cert_reqs="CERT_REQUIRED", server_hostname=host, assert_hostname=host)
    return urllib3.HTTPConnectionPool(address, port, timeout=timeouts, retries=False, maxsize=1)


def post(url: str, body: bytes, secret: str, headers: dict[str, str]) -> Outcome:
    """POST ``body`` signed with ``secret``; never raises for the receiver's faults."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        scheme, host, port = addresses.check_syntax(url)
        address = addresses.resolve(host, port)
    except Refused as exc:
        return Outcome(None, elapsed(), str(exc), None)
    parts = urlsplit(url)
    default_port = port == (443 if scheme == "https" else 80)
    sent_headers = {
        **headers, "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "Host": host if default_port else f"{host}:{port}",
        signing.HEADER: signing.header_value(secret, body),
    }
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pool = _pool(scheme, host, address, port, current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
    try:
        response = pool.urlopen("POST", target, body=body, headers=sent_headers, redirect=False,
                                retries=False, preload_content=False, assert_same_host=False)
        try:
            excerpt = response.read(EXCERPT_CHARS * 4, decode_content=True)[:EXCERPT_CHARS * 4]
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        return Outcome(None, elapsed(), f"No answer: {type(exc).__name__}: {exc}", None)
    finally:
        pool.close()
    text = excerpt.decode("utf-8", "replace")[:EXCERPT_CHARS]
    error = None
    if 300 <= response.status < 400:
        error = (f"The receiver redirected to {response.headers.get('Location', 'another address')}: redirects "
                 "are not followed. Register the final URL instead.")
    elif not 200 <= response.status < 300:
        error = f"The receiver answered HTTP {response.status}."
    return Outcome(response.status, elapsed(), error, text or None)
