"""The reference implementation of JSON Schema (python-jsonschema with a
``referencing.Registry`` of the vendored files), used by the tests to check
whole 360Giving packages; the app validates with jsonschema-rs
(``grantflow.portfolio.validation``)."""
from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from grantflow.portfolio.validation import GRANT_SCHEMA_URLS, grant_schema, package_schema

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_uri(value) -> bool:
    from urllib.parse import urlsplit

    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


@lru_cache(maxsize=1)
def reference_validator():
    """python-jsonschema with a ``referencing.Registry`` of the local files.

    Format checks are explicit: without them every string "is" a date-time, and the
    standard's ``oneOf: [date-time, YYYY-MM-DD]`` would refuse every plain date."""
    # the files say "http://json-schema.org/draft/2020-12/schema", which referencing
    # does not recognise by itself, so the dialect is given explicitly
    grant = DRAFT202012.create_resource(grant_schema())
    registry = Registry().with_resources([(url, grant) for url in GRANT_SCHEMA_URLS])
    checker = FormatChecker(formats=())
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(_is_uri)
    return Draft202012Validator(package_schema(), registry=registry, format_checker=checker)


def reference_errors(package: dict) -> list[str]:
    """Every problem the reference implementation finds in a whole package."""
    found = []
    for error in reference_validator().iter_errors(package):
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        found.append(f"{where}: {error.message}")
    return found
