"""The signature a receiver checks, and which URLs an endpoint may have."""
from __future__ import annotations

import time

import pytest

from grantflow.core.refusal import Refused
from grantflow.webhooks import addresses, signing

SECRET = "whsec_test"
BODY = b'{"event": "grant.closed"}'
NOW = 1_800_000_000


@pytest.mark.parametrize("secret, body, header, ok", [
    (SECRET, BODY, signing.header_value(SECRET, BODY, NOW), True),
    (SECRET, BODY + b" ", signing.header_value(SECRET, BODY, NOW), False),           # body changed
    ("whsec_other", BODY, signing.header_value(SECRET, BODY, NOW), False),          # another secret
    (SECRET, BODY, signing.header_value(SECRET, BODY, NOW - 301), False),           # replayed too late
    (SECRET, BODY, signing.header_value(SECRET, BODY, NOW - 299), True),
    (SECRET, BODY, f"t={NOW},v1=" + "0" * 64, False),                               # forged
    (SECRET, BODY, "", False),
    (SECRET, BODY, "t=soon,v1=abc", False),
])
def test_a_receiver_accepts_only_a_recent_signature_of_this_body_with_this_secret(secret, body, header, ok):
    assert signing.verify(secret, body, header, now=NOW) is ok


def test_the_signature_is_hmac_sha256_of_time_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signing.header_value(SECRET, BODY, NOW) == f"t={NOW},v1={expected}"
    assert abs(int(signing.header_value(SECRET, BODY).split(",")[0][2:]) - time.time()) < 5


@pytest.mark.parametrize("url, production, allowed, refusal", [
    ("https://receiver.invalid/hook", True, False, "cannot be found"),  # .invalid never resolves
    ("ftp://example.org/hook", False, False, "must start with https://"),
    ("javascript:alert(1)", False, False, "must start with https://"),
    ("https:///no-host", False, False, "must name a host"),
    ("https://user:pw@127.0.0.1/hook", False, False, "Leave the user name and password out"),
    ("http://127.0.0.1:99999/hook", False, False, "valid URL"),
    ("http://127.0.0.1:8080/hook", False, True, None),               # development: a local receiver
    ("http://127.0.0.1:8080/hook", True, False, "private or local address (127.0.0.1)"),
    ("http://10.1.2.3/hook", True, False, "private or local address"),
    ("http://169.254.169.254/latest/meta-data", True, False, "private or local address"),
    ("http://[::1]/hook", True, False, "private or local address"),
    ("http://[::ffff:127.0.0.1]/hook", True, False, "private or local address"),
    ("http://0.0.0.0/hook", True, False, "private or local address"),
    ("http://8.8.8.8/hook", True, True, None),                       # a public address
])
def test_urls_an_endpoint_may_have(app, monkeypatch, url, production, allowed, refusal):
    monkeypatch.setitem(app.config, "GRANTFLOW_ENV", "production" if production else "development")
    if allowed:
        assert addresses.check_url(f"  {url} ") == url
        return
    with pytest.raises(Refused) as refused:
        addresses.check_url(url)
    assert refusal in str(refused.value) and refused.value.field == "url"


def test_a_setting_allows_private_addresses_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "GRANTFLOW_ENV", "production")
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    assert addresses.check_url("http://10.1.2.3/hook") == "http://10.1.2.3/hook"
