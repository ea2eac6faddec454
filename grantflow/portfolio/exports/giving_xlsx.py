"""The 360Giving spreadsheet form: the same validated grants as the JSON package,
flattened with the standard's column titles (taken from the schema's ``title``
fields, joined with ":" as 360Giving's flatten-tool does).

Sheet "grants" has one row per grant with the rolled-up organisation, programme
and date columns; sheet "classifications" has one row per theme, keyed by the
grant's Identifier. Columns that are not in the standard are clearly prefixed:
``US:`` for the US crosswalk (UEI, EIN, SF-424 BusinessTypes letter) and
``Metrics:`` for targets and reported actuals."""
from __future__ import annotations

from functools import lru_cache

from ..cells import neutralised
from ..filters import PortfolioFilters
from ..metrics import METRICS
from ..validation import grant_schema
from .base import ExportError, ExportResult, Progress, atomic_output
from .giving import PROGRESS_EVERY, count_grants, iter_grants

#: (JSON path within a grant) in the order of the standard's template
GRANT_FIELDS = [
    ("id",), ("title",), ("description",), ("currency",), ("amountAppliedFor",), ("amountAwarded",),
    ("amountDisbursed",), ("awardDate",), ("plannedDates", "startDate"), ("plannedDates", "endDate"),
    ("plannedDates", "duration"), ("recipientOrganization", "id"), ("recipientOrganization", "name"),
    ("recipientOrganization", "addressRegion"), ("recipientOrganization", "addressCountry"),
    ("beneficiaryLocation", "name"), ("beneficiaryLocation", "countryCode"), ("fundingOrganization", "id"),
    ("fundingOrganization", "name"), ("grantProgramme", "code"), ("grantProgramme", "title"),
    ("fromOpenCall",), ("dateModified",),
]
CLASSIFICATION_FIELDS = ("vocabulary", "code", "title")
US_COLUMNS = ["US:UEI", "US:EIN", "US:BusinessTypes"]


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


@lru_cache(maxsize=None)
def standard_title(path: tuple[str, ...]) -> str:
    """The standard's column title for a JSON path, e.g. ("recipientOrganization", "id")
    -> "Recipient Org:Identifier"."""
    schema = grant_schema()
    node, titles = schema, []
    for part in path:
        node = _resolve(schema, node)
        if node.get("type") == "array":
            node = _resolve(schema, node["items"])
        node = node["properties"][part]
        # a property that is only a $ref (currency) has its title on neither side
        titles.append(node.get("title") or _resolve(schema, node).get("title") or part.capitalize())
    return ":".join(titles)


def _value(grant: dict, path: tuple[str, ...]):
    value = grant.get(path[0])
    if len(path) == 1 or value is None:
        return value
    return value[0].get(path[1]) if value else None


def metric_columns() -> list[str]:
    return ([f"Metrics:Target:{label}" for label in METRICS.values()]
            + [f"Metrics:Actual:{label}" for label in METRICS.values()])


def write_360_xlsx(path, filters: PortfolioFilters, *, progress: Progress | None = None,
                   round_ids=None) -> ExportResult:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from itertools import chain

    total = count_grants(filters, round_ids=round_ids) if progress is not None else None  # for a progress bar
    grants = iter_grants(filters, with_metrics=True, round_ids=round_ids)
    first = next(grants, None)
    if first is None:
        raise ExportError("No accepted grants match these filters (an award counts once the applicant accepts it): "
                          "a 360Giving spreadsheet needs at least one grant.")
    workbook = Workbook(write_only=True)
    grants_sheet = workbook.create_sheet("grants")
    classifications_sheet = workbook.create_sheet("classifications")
    bold = Font(bold=True)

    def header(sheet, titles):
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    header(grants_sheet, [standard_title(p) for p in GRANT_FIELDS] + US_COLUMNS + metric_columns())
    header(classifications_sheet, [standard_title(("id",))]
           + [standard_title(("classifications", f)) for f in CLASSIFICATION_FIELDS])
    written = 0
    for grant, row in chain([first], grants):
        values = [_value(grant, p) for p in GRANT_FIELDS]
        values += [row.uei, row.ein, row.applicant_type]
        values += [row._mapping[f"target_{key}"] for key in METRICS]
        values += [row._mapping[f"actual_{key}"] for key in METRICS]
        grants_sheet.append([neutralised(value) for value in values])
        for item in grant.get("classifications", []):
            classifications_sheet.append([neutralised(value) for value in
                                          [grant["id"]] + [item.get(f) for f in CLASSIFICATION_FIELDS]])
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written, total)
    with atomic_output(path, "wb") as handle:
        workbook.save(handle)
    if progress is not None:
        progress(written, total)
    return ExportResult(path=path, rows=written)
