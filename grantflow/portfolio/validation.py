"""Offline validation against the 360Giving Data Standard 1.4.3 schemas vendored in ``schema/``.

The package schema refers to the grant schema by URL (tag 1.4.2, while the grant
file's ``$id`` says 1.4.3). Both URLs are mapped to the local grant schema; nothing
is ever fetched over the network.

``GrantValidator`` (jsonschema-rs, compiled) checks every grant of an export as it
is streamed: about 2 microseconds a grant, where the pure-Python reference
implementation takes about 400, which would make a 100,000-application export a
minute slower. The tests check whole packages with that reference
(``tests/portfolio/reference_schema.py``, python-jsonschema).
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

SCHEMA_VERSION = "1.4"
GRANT_SCHEMA_URLS = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
)

# RFC 3339 date-time, as the standard requires for dateModified


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
