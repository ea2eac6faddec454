"""The export formats, by the name the CLI and the UI use."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .base import ExportError, ExportResult, Progress  # noqa: F401
from .giving import write_360_json
from .giving_xlsx import write_360_xlsx
from .report import write_pdf
from .tabular import write_csv, write_xlsx


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    extension: str
    mimetype: str
    write: Callable
    #: writes people's names (reviewers) unless told it is not a staff export
    has_staff_columns: bool = False


FORMATS = {f.name: f for f in [
    ExportFormat("csv", "CSV (one row per application)", "csv", "text/csv", write_csv, True),
    ExportFormat("xlsx", "Excel workbook (one row per application)", "xlsx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx, True),
    ExportFormat("360giving", "360Giving JSON (accepted grants)", "json", "application/json", write_360_json),
    ExportFormat("360giving-xlsx", "360Giving spreadsheet (accepted grants)", "xlsx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_360_xlsx),
    ExportFormat("pdf", "PDF portfolio report", "pdf", "application/pdf", write_pdf),
]}


def run_export(format_name: str, path, filters, *, progress: Progress | None = None) -> ExportResult:
    """Write one export; raises ``ExportError`` with a message for the user."""
    fmt = FORMATS[format_name]
    return fmt.write(path, filters, progress=progress)
