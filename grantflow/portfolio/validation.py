"""Offline validation against the 360Giving Data Standard 1.4.3 schemas vendored in ``schema/``.

The package schema refers to the grant schema by URL (tag 1.4.2, while the grant
file's ``$id`` says 1.4.3). Both URLs are mapped to the local grant schema; nothing
is ever fetched over the network.

Two validators read the same files:

- ``GrantValidator`` (jsonschema-rs, compiled) checks every grant of an export as it
  is streamed: about 2 microseconds a grant, where the pure-Python reference takes
  about 400, which would make a 100,000-application export a minute slower;
- ``reference_validator()`` (python-jsonschema with a ``referencing.Registry``) is
  the reference implementation, used to check whole packages in tests and by
  ``grantflow export --check``.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from importlib import resources

SCHEMA_VERSION = "1.4"
GRANT_SCHEMA_URLS = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
)

# RFC 3339 date-time, as the standard requires for dateModified
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


class InvalidGrantData(ValueError):
    """The data would not validate; the message names the grant and the problem."""


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    text = resources.files("grantflow.portfolio").joinpath("schema", name).read_text(encoding="utf-8")
    return json.loads(text)


def grant_schema() -> dict:
    return load_schema("360-giving-schema.json")


def package_schema() -> dict:
    return load_schema("360-giving-package-schema.json")


class GrantValidator:
    """Validates grants one at a time, then the package around them."""

    def __init__(self):
        import jsonschema_rs

        grant = grant_schema()
        registry = jsonschema_rs.Registry([(url, grant) for url in GRANT_SCHEMA_URLS])
        self._grant = jsonschema_rs.Draft202012Validator(grant, validate_formats=True)
        self._package = jsonschema_rs.Draft202012Validator(package_schema(), registry=registry,
                                                           validate_formats=True, retriever=_refuse_fetch)

    def check_grant(self, grant: dict) -> None:
        if not self._grant.is_valid(grant):
            raise InvalidGrantData(f"grant {grant.get('id', '?')}: " + _first_error(self._grant, grant))

    def check_envelope(self, envelope: dict, sample_grant: dict) -> None:
        """The package keys (publisher, licence, dates) with one grant in place of the
        list. Grant ids are primary keys, so the list's ``uniqueItems`` holds by design."""
        instance = dict(envelope, grants=[sample_grant])
        if not self._package.is_valid(instance):
            raise InvalidGrantData("package: " + _first_error(self._package, instance))


def _refuse_fetch(uri: str):
    raise InvalidGrantData(f"the schema refers to {uri}, which is not vendored; nothing is fetched")


def _first_error(validator, instance) -> str:
    error = next(iter(validator.iter_errors(instance)))
    where = "/".join(str(part) for part in error.instance_path) or "(top level)"
    return f"{where}: {error.message}"


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
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

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
