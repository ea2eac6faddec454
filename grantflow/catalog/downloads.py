"""The 360Giving files of a publishing fund (JSON data package and spreadsheet),
at stable addresses linked from the catalog.

A file holds the fund's accepted grants in its publishing rounds only; it is
stored whole in the ``exports`` area (a reader never sees half a file) and
regenerated when older than OPEN_DATA_MAX_AGE seconds (an hour by default). The
publishing rounds are part of the stored name, so a round that stops publishing
is out of the very next download, not an hour later."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from flask import current_app

from ..core import storage
from ..funds.models import Fund
from ..portfolio.exports import ExportError, write_360_json, write_360_xlsx
from ..portfolio.filters import PortfolioFilters

PUBLIC_SUBDIR = "public"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Download:
    extension: str
    label: str
    mimetype: str
    write: Callable


DOWNLOADS = {
    "json": Download("json", "360Giving JSON data package", "application/json", write_360_json),
    "xlsx": Download("xlsx", "360Giving spreadsheet (Excel)", XLSX, write_360_xlsx),
}


class NothingPublished(LookupError):
    pass


def current_package_keys() -> set[str]:
    from .publishing import published_fund, publishing_funds

    keys = set()
    for fund in publishing_funds():
        _, round_ids = published_fund(fund.slug)
        keys |= {package_key(fund, round_ids, extension) for extension in DOWNLOADS}
    return keys


def referenced_public_keys(keys: list[str]) -> set[str]:
    """For the storage sweep: the files of what is published now. A package of a
    former set of publishing rounds (or of a fund that stopped) is swept away."""
    current = current_package_keys()
    return {key for key in keys if key in current}


storage.REFERENCED_BY["exports"].append(referenced_public_keys)


def package_key(fund: Fund, round_ids: list[int], extension: str) -> str:
    rounds = hashlib.sha256(",".join(map(str, sorted(round_ids))).encode()).hexdigest()[:12]
    return f"{PUBLIC_SUBDIR}/{fund.slug}-{rounds}-360giving.{extension}"


def published_package(fund: Fund, round_ids: list[int], extension: str) -> str:
    """The storage key of the fund's file in this format, written first when missing or stale."""
    download = DOWNLOADS[extension]
    key = package_key(fund, round_ids, extension)
    files = storage.area("exports")
    max_age = int(current_app.config.get("OPEN_DATA_MAX_AGE", 3600))
    stored = files.stat(key)
    if stored is not None and (datetime.now(timezone.utc) - stored.modified_at).total_seconds() < max_age:
        return key
    try:
        with files.new_file(key) as path:
            download.write(path, PortfolioFilters(fund_id=fund.id), round_ids=round_ids)
    except ExportError as exc:
        raise NothingPublished(f"{fund.name} has no accepted grants to publish yet.") from exc
    return key
