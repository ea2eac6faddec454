"""Schemathesis against the API's own OpenAPI document on a seeded app (WSGI, in process):
every documented operation, with generated valid (positive) and invalid (negative) input;
public operations anonymously, the others with a real token of the role they serve. All of
schemathesis's checks must pass: no 500, every answer (status, content type, headers, body)
as documented, invalid input refused, valid input accepted.

The operations are driven one by one with Hypothesis (``as_strategy``) rather than through
schemathesis's pytest plugin: its lazy fixture loader does not run on this pytest."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
import schemathesis

from .helpers import bearer, seeded, token_through_the_page

#: examples per operation and mode: ~14 operations x 2 modes stay well under a minute
EXAMPLES = 20


def _without_cursor(case):
    """A cursor is opaque and signed: no generated string is a valid one, so positive cases
    leave it out (optional: still a valid request). Negative cases keep it; invalid ones are
    400s; tests/api/test_api.py follows real cursors."""
    if case.query:
        case.query.pop("cursor", None)
    return case


def _run(operation, mode, headers: dict) -> str | None:
    strategy = operation.as_strategy(generation_mode=mode)
    if mode == GenerationMode.POSITIVE:
        strategy = strategy.map(_without_cursor)

    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(headers=headers)

    try:
        check()
    except Exception as exc:  # every failure is reported, not only the first operation's
        return f"{operation.method.upper()} {operation.path} ({mode.value}):\n{exc}"
    return None


def test_the_api_matches_its_document(app, client):
    portfolio = seeded()
    tokens = {"/api/v1/admin/": token_through_the_page(client, portfolio["admin"], "schemathesis admin"),
              "/api/v1/my/": token_through_the_page(client, portfolio["applicant"], "schemathesis applicant")}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, ran = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        headers = next((bearer(secret) for prefix, secret in tokens.items() if operation.path.startswith(prefix)), {})
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            ran += 1
            failure = _run(operation, mode, headers)
            if failure:
                failures.append(failure)
    assert ran >= 24
    assert not failures, "\n\n".join(failures)
