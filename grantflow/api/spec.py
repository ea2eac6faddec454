"""The OpenAPI 3.1 document, generated from the routes by SpecTree.

Each API view is decorated with ``documented(...)``: its query model, its
response models and its tag become the operation. SpecTree emits OpenAPI 3.1.0
with JSON Schema 2020-12 straight from pydantic; it never validates here
(``skip_validation``): ``queries.parse`` checks the query with the same model
so that a bad query is a problem+json 400 rather than SpecTree's own format.
Its bundled UI pages load scripts from a CDN, so they are not registered: the
app serves the JSON itself and renders the reference page from it. Two things
are adjusted after generation, facts SpecTree cannot know: error responses are
``application/problem+json``, and an optional query parameter is absent rather
than null (a query string has no null). The document is cached per app (routes
never change at run time)."""
from __future__ import annotations

import copy

from flask import current_app
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree

from ..core.workflow.engine import definitions
from . import schemas

TOKEN_SCHEME = "personalToken"

spec = SpecTree(
    "flask", title="GrantFlow API", version="v1", mode="strict", annotations=False,
    # never registered (its UI pages would load scripts from a CDN); a path no route uses
    path="api/v1/_spectree",
    validation_error_status=400, validation_error_model=schemas.Problem,
    naming_strategy=lambda model: model.__name__, nested_naming_strategy=lambda parent, child: child,
    security_schemes=[SecurityScheme(name=TOKEN_SCHEME, data=SecuritySchemeData(
        type="http", scheme="bearer",
        description="A personal API token, created on your account's API tokens page (read-only)."))],
    description=("Read-only JSON API of GrantFlow. Public endpoints need no credentials; the others take a "
                 "personal API token (`Authorization: Bearer <token>`). Lists are paginated by cursor, "
                 "answers carry an ETag (send If-None-Match for a 304), and errors are RFC 9457 "
                 "problem details."),
)

#: the errors every operation may answer with
COMMON_ERRORS = {"HTTP_400": schemas.Problem, "HTTP_429": schemas.Problem}
AUTH_ERRORS = {"HTTP_401": schemas.Problem, "HTTP_403": schemas.Problem}


def documented(*, tag: str, ok, query=None, authenticated: bool = False, may_be_missing: bool = False):
    """SpecTree's decorator with this API's conventions."""
    codes = {"HTTP_200": ok, "HTTP_304": None, **COMMON_ERRORS}
    if authenticated:
        codes.update(AUTH_ERRORS)
    if may_be_missing:
        codes["HTTP_404"] = schemas.Problem
    return spec.validate(query=query, resp=Response(**codes), tags=[tag], skip_validation=True,
                         security={TOKEN_SCHEME: []} if authenticated else None)


def _workflow_states(schema: dict) -> None:
    """A parameter marked as taking a workflow state lists the states of the loaded workflows
    (data, not code: a fund's workflow files name them)."""
    if schema.pop("x-grantflow-values", None) == "workflow-states":
        schema["enum"] = sorted({name for d in definitions() for name in d.states})


def _query_without_null(parameter: dict) -> None:
    """An optional query parameter is absent or a value: a query string has no null."""
    schema = parameter.get("schema", {})
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if "anyOf" in schema and len(options) == 1:
        kept = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
        parameter["schema"] = {**options[0], **kept}
    elif schema.get("default", 0) is None:
        del schema["default"]


def _adjusted(document: dict) -> dict:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _query_without_null(parameter)
                    _workflow_states(parameter["schema"])
            for status, response in operation.get("responses", {}).items():
                content = response.get("content") or {}
                if int(status) >= 400 and "application/json" in content:
                    response["content"] = {"application/problem+json": content["application/json"]}
    return document


def document() -> dict:
    """The OpenAPI document of this app, generated once."""
    cached = current_app.extensions.get("api_openapi")
    if cached is None:
        generated = spec._generate_spec()  # per app: SpecTree's own cache would be shared by every app
        generated["servers"] = [{"url": "/"}]
        cached = current_app.extensions["api_openapi"] = _adjusted(copy.deepcopy(generated))
    return cached
