"""One cache shared by every web process and worker, for what is really expensive.

Summarising 100,000 applications for the portfolio dashboard takes over a second
however well indexed, so its figures are kept in Flask-Caching: in Redis when
``REDIS_URL`` is set (every web process, node and RQ worker shares the entries),
otherwise in a cache local to the process (right for one process: the development
server, tests, a single worker).

Entries carry the generation token they were computed in; the token is kept in
the same cache. Every operation that changes what the dashboard shows calls
``portfolio_changed()``; after its transaction commits (through the outbox, so a
rolled-back change drops nothing) the token is replaced, and every process's
entries are out of date at once. The token changes only after the commit: a
request that read the old token and the old rows stores its figures under the old
token, which is already out of date. Draft autosaves do not call it: the
dashboard counts submitted work.

Recomputing takes about a second at 100,000 applications, so a page does not wait
for it once figures exist: the request that finds them out of date (of an earlier
generation, or older than ``CACHE_DEFAULT_TIMEOUT``) gets them, marked as such
with their time, and its process computes the current ones right after sending
the response; the next requests, in every process, get those. Only a first
computation, when there are no figures at all, is waited for."""
from __future__ import annotations

import hashlib
import time
import uuid
from typing import Callable, NamedTuple

from flask import after_this_request, current_app, has_request_context

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
    """Put ``name``'s entries out of date in every process once the current transaction commits."""
    outbox.on_commit(_bump, name)


def portfolio_changed() -> None:
    """For the operations that change applications' states, awards, payments,
    accepted reports or organisations: the dashboard's figures are recomputed."""
    changed(PORTFOLIO)


#: longest a request waits for another process computing the same entry
COMPUTING_SECONDS = 30
#: an entry nobody asked for in a day goes (filter combinations are many)
ENTRY_SECONDS = 24 * 3600


class Entry(NamedTuple):
    value: object
    computed_at: float  # epoch seconds
    current: bool  # False: the latest figures, of an earlier generation, while the current ones are computed


def cached(name: str, key: tuple, compute: Callable[[], object], *, fresh: bool = False) -> Entry:
    """``compute()`` under ``key``, for the current generation of ``name``;
    ``fresh`` recomputes and replaces the entry now.

    Each key keeps its latest figures with the generation they were computed in.
    When that generation is past, one process computes the current figures (after
    its response, when there is one) while the pages show the latest; when there
    are no figures yet, the others wait for the one computing: after a change,
    every web process asking at once would otherwise each spend the same second on
    the same figures."""
    current = generation(name)
    entry_key = f"{name}:entry:{hashlib.sha1(repr(key).encode()).hexdigest()}"
    computing = f"{entry_key}:{current}:computing"
    if fresh:
        return _compute(entry_key, current, compute)
    found = cache.get(entry_key)
    if found is not None:
        value, computed_at, of_generation = found
        up_to_date = of_generation == current and time.time() - computed_at < _max_age()
        if not up_to_date and cache.add(computing, 1, timeout=COMPUTING_SECONDS):
            if has_request_context():
                _after_this_response(lambda: _compute_marked(entry_key, current, computing, compute))
            else:  # a command or a job: nobody is waiting for a page
                return _compute_marked(entry_key, current, computing, compute)
        return Entry(value, computed_at, up_to_date)
    if cache.add(computing, 1, timeout=COMPUTING_SECONDS):
        return _compute_marked(entry_key, current, computing, compute)
    deadline = time.monotonic() + COMPUTING_SECONDS
    while time.monotonic() < deadline and cache.get(computing) is not None:
        time.sleep(0.05)
        found = cache.get(entry_key)
        if found is not None:
            return Entry(found[0], found[1], found[2] == current)
    return _compute(entry_key, current, compute)  # the other process failed, or took too long


def _max_age() -> float:
    """Figures older than this are recomputed too (rows written around the operations, by
    SQL or a bulk load, are seen after it): Flask-Caching's ``CACHE_DEFAULT_TIMEOUT``."""
    return float(current_app.config.get("CACHE_DEFAULT_TIMEOUT") or 300)


def _compute(entry_key: str, of_generation: str, compute: Callable[[], object]) -> Entry:
    value, computed_at = compute(), time.time()
    cache.set(entry_key, (value, computed_at, of_generation), timeout=ENTRY_SECONDS)
    return Entry(value, computed_at, True)


def _compute_marked(entry_key: str, of_generation: str, computing: str, compute: Callable[[], object]) -> Entry:
    try:
        return _compute(entry_key, of_generation, compute)
    finally:
        cache.delete(computing)


def _after_this_response(work: Callable[[], object]) -> None:
    """Run ``work`` in this process once the response is sent (the WSGI server
    closes it), in an application context of its own, with its own session."""
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                work()
            except Exception:  # the next request tries again; the page keeps the latest figures meanwhile
                app.logger.exception("computing cached figures after the response failed")

    @after_this_request
    def schedule(response):
        response.call_on_close(run)
        return response


def init_app(app) -> None:
    """Redis when REDIS_URL is set, else a cache in this process; settings can be
    given as Flask-Caching's own (``CACHE_TYPE``...) to override."""
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "SimpleCache")
    if redis_url:
        app.config.setdefault("CACHE_REDIS_URL", redis_url)
    app.config.setdefault("CACHE_KEY_PREFIX", "grantflow:")
    cache.init_app(app)
