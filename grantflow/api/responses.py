"""Reading the query and writing the answer, the same way for every endpoint.

- The query string is checked with the endpoint's pydantic model; what does not
  fit is a 400 problem naming each parameter (``invalid_params``).
- The answer is serialised through its response model (so it matches the
  document), with a strong ETag over the exact bytes; a matching
  ``If-None-Match`` gets 304 and no body. Public data may be stored by caches
  but must be revalidated (``public, no-cache``); anything read with
  credentials stays ``no-store`` (core.headers), and an API client keeps the
  ETag itself."""
from __future__ import annotations

import hashlib

from flask import current_app, json, request
from pydantic import BaseModel, ValidationError

from .problems import ApiError


def parse(model: type[BaseModel]):
    try:
        return model.model_validate(request.args.to_dict(flat=True))
    except ValidationError as exc:
        invalid = [{"name": ".".join(str(p) for p in error["loc"]) or "query", "reason": error["msg"]}
                   for error in exc.errors(include_url=False, include_input=False)]
        names = ", ".join(sorted({i["name"] for i in invalid}))
        raise ApiError(400, f"Check these query parameters: {names}.", invalid_params=invalid) from None


def respond(model: type[BaseModel], payload, *, public: bool = False):
    body = json.dumps(model.model_validate(payload).model_dump(mode="json"), sort_keys=True)
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.vary.update(("Authorization", "Cookie"))
    if public:
        response.cache_control.public = True
        response.cache_control.no_cache = True
    return response.make_conditional(request)
