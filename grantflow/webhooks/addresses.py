"""Which URLs a webhook may be sent to.

A webhook makes GrantFlow's server send requests wherever an administrator
points it, so a URL must not reach the server's own network (a database, a
cloud metadata service at 169.254.169.254) in production: every address the
host name resolves to must be public, checked when the URL is saved and again
at each delivery, and the request goes to the address that was checked (no
second lookup an attacker's DNS could answer differently).
``GRANTFLOW_WEBHOOK_ALLOW_PRIVATE=1`` allows private addresses (a receiver
inside the fund's own network); outside production they are allowed, so that
a developer (and the tests) can use a receiver on 127.0.0.1."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app

from ..core.refusal import Refused

SCHEMES = ("http", "https")


def private_allowed() -> bool:
    config = current_app.config
    return bool(config.get("WEBHOOK_ALLOW_PRIVATE")) or config.get("GRANTFLOW_ENV") != "production"


def check_syntax(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a well-formed http(s) URL, or ``Refused``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("Enter a valid URL, like https://example.org/grantflow-hook.", field="url") from None
    if parts.scheme not in SCHEMES:
        raise Refused("The URL must start with https:// (or http://).", field="url")
    if not parts.hostname:
        raise Refused("The URL must name a host, like https://example.org/grantflow-hook.", field="url")
    if parts.username or parts.password:
        raise Refused("Leave the user name and password out of the URL: deliveries are signed instead.",
                      field="url")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _is_public(address: ipaddress._BaseAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> str:
    """The address to connect to: every address of ``host`` must be allowed
    (one private address among public ones is refused: DNS may hand out either)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:  # gaierror is an OSError; a NUL in the name a ValueError
        raise Refused(f"The host “{host}” cannot be found ({exc}).", field="url") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found]
    if not private_allowed():
        blocked = [str(a) for a in addresses if not _is_public(a)]
        if blocked:
            raise Refused(f"“{host}” is a private or local address ({', '.join(sorted(set(blocked)))}): GrantFlow "
                          "does not send webhooks inside its own network unless GRANTFLOW_WEBHOOK_ALLOW_PRIVATE "
                          "is set.", field="url")
    return str(addresses[0])


def check_url(url: str) -> str:
    """The URL, stripped, once it is well formed and its host allowed."""
    url = (url or "").strip()
    _, host, port = check_syntax(url)
    resolve(host, port)
    return url
