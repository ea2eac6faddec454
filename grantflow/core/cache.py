"""One cache shared by every web process and worker, for what is really expensive.

Summarising 100,000 applications for the portfolio dashboard takes over a second
however well indexed, so its figures are kept in Flask-Caching: in Redis when
``REDIS_URL`` is set (every web process, node and RQ worker shares the entries),
otherwise in a cache local to the process (right for one process: the development
server, tests, a single worker).

Entries are keyed by a generation token, kept in the same cache. Every operation
that changes what the dashboard shows calls ``portfolio_changed()``; after its
transaction commits (through the outbox, so a rolled-back change drops nothing)
the token is replaced, and every process's next request computes afresh. The
token changes only after the commit: a request that read the old token and the
old rows stores its figures under the old token, where nobody looks any more.
Draft autosaves do not call it: the dashboard counts submitted work."""
from __future__ import annotations

import hashlib
import time
import uuid
from typing import Callable

from ..extensions import cache
from . import outbox

PORTFOLIO = "portfolio"


def _generation_key(name: str) -> str:
    return f"{name}:generation"


def generation(name: str) -> str:
    """The current token of ``name``'s entries (made on first use; never expires)."""
    key = _generation_key(name)
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, timeout=0)  # the first of two racing processes wins
        token = cache.get(key)
    return token


def _bump(name: str) -> None:
    cache.set(_generation_key(name), uuid.uuid4().hex, timeout=0)


def changed(name: str) -> None:
    """Drop ``name``'s entries in every process once the current transaction commits."""
    outbox.on_commit(_bump, name)


def portfolio_changed() -> None:
    """For the operations that change applications' states, awards, payments,
    accepted reports or organisations: the dashboard's figures are recomputed."""
    changed(PORTFOLIO)


#: longest a request waits for another process computing the same entry
COMPUTING_SECONDS = 30


def cached(name: str, key: tuple, compute: Callable[[], object], *, fresh: bool = False) -> tuple[object, float]:
    """(value, computed_at epoch seconds) of ``compute()`` under ``key`` and the
    current generation of ``name``; ``fresh`` recomputes and replaces the entry.

    One process computes a missing entry while the others wait for it: after a
    change, every web process asking at once would otherwise each spend the
    same second of CPU on the same figures."""
    digest = hashlib.sha1(repr(key).encode()).hexdigest()
    entry_key = f"{name}:{generation(name)}:{digest}"
    if fresh:
        return _compute(entry_key, compute)
    found = cache.get(entry_key)
    if found is not None:
        return found
    computing = entry_key + ":computing"
    if cache.add(computing, 1, timeout=COMPUTING_SECONDS):
        try:
            return _compute(entry_key, compute)
        finally:
            cache.delete(computing)
    deadline = time.monotonic() + COMPUTING_SECONDS
    while time.monotonic() < deadline and cache.get(computing) is not None:
        time.sleep(0.05)
        found = cache.get(entry_key)
        if found is not None:
            return found
    return cache.get(entry_key) or _compute(entry_key, compute)  # it failed, or took too long


def _compute(entry_key: str, compute: Callable[[], object]) -> tuple[object, float]:
    entry = (compute(), time.time())
    cache.set(entry_key, entry)
    return entry


def init_app(app) -> None:
    """Redis when REDIS_URL is set, else a cache in this process; settings can be
    given as Flask-Caching's own (``CACHE_TYPE``...) to override."""
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "SimpleCache")
    if redis_url:
        app.config.setdefault("CACHE_REDIS_URL", redis_url)
    app.config.setdefault("CACHE_KEY_PREFIX", "grantflow:")
    cache.init_app(app)
