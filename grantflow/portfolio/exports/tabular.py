"""CSV and XLSX: one row per application, streamed from the database to the file.

Rows go from the streaming cursor to the writer one batch at a time; the XLSX
uses openpyxl's write-only mode, which writes each row to a temporary file as it
comes. Peak memory therefore does not grow with the number of applications."""
from __future__ import annotations

import csv
from decimal import Decimal

from ..filters import PortfolioFilters
from ..labels import theme_labels
from ..rows import columns_for, count_rows, rows_select, stream, text_formatters
from .base import ExportResult, Progress, atomic_output

PROGRESS_EVERY = 5000


def write_csv(path, filters: PortfolioFilters, *, staff: bool = True, progress: Progress | None = None
              ) -> ExportResult:
    columns = columns_for(staff=staff)
    total = count_rows(filters)
    formatters = text_formatters(columns, theme_labels())
    plain = [i for i, f in enumerate(formatters) if f is None]
    formatted = [(i, f) for i, f in enumerate(formatters) if f is not None]
    written = 0
    with atomic_output(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.header for c in columns])
        out = [None] * len(columns)
        for row in stream(rows_select(filters, columns)):
            for i in plain:
                out[i] = row[i]
            for i, fmt in formatted:
                out[i] = fmt(row[i])
            writer.writerow(out)
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written, total)
    if progress is not None:
        progress(written, total)
    return ExportResult(path=path, rows=written)


def _xlsx_value(kind: str, value, labels):
    from ..rows import themes_list

    if value is None:
        return None
    if kind == "money":
        return Decimal(int(value)) / 100
    if kind == "reference":
        return f"L2G-{value:05d}"
    if kind == "themes":
        return themes_list(value, labels)
    if kind == "date":
        return value.date() if hasattr(value, "date") else value
    if kind == "score":
        return round(float(value), 2)
    return value


def write_xlsx(path, filters: PortfolioFilters, *, staff: bool = True, progress: Progress | None = None
               ) -> ExportResult:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    columns = columns_for(staff=staff)
    total = count_rows(filters)
    labels = theme_labels()
    kinds = [c.kind for c in columns]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Portfolio")
    sheet.freeze_panes = "C2"
    for index, column in enumerate(columns):
        letter = _column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.header) + 2))
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    for row in stream(rows_select(filters, columns)):
        sheet.append([_xlsx_value(kind, value, labels) for kind, value in zip(kinds, row)])
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written, total)
    with atomic_output(path, "wb") as handle:
        workbook.save(handle)
    if progress is not None:
        progress(written, total)
    return ExportResult(path=path, rows=written)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
