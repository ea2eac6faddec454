"""CSV and XLSX: one row per application, streamed from the database to the file.

Rows go from the streaming cursor to the writer one batch at a time; the XLSX
uses openpyxl's write-only mode, which writes each row to a temporary file as it
comes. Peak memory therefore does not grow with the number of applications."""
from __future__ import annotations

import csv

from ..filters import PortfolioFilters
from ..labels import theme_labels
from ..rows import columns_for, count_rows, row_converter, rows_select, stream, stream_batches
from .base import ExportResult, Progress, atomic_output

PROGRESS_EVERY = 5000


def write_csv(path, filters: PortfolioFilters, *, staff: bool = True, progress: Progress | None = None
              ) -> ExportResult:
    columns = columns_for(staff=staff)
    total = count_rows(filters) if progress is not None else 0  # only a progress bar needs it
    convert = row_converter(columns, theme_labels(), as_text=True)
    written = 0
    with atomic_output(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.header for c in columns])
        for batch in stream_batches(rows_select(filters, columns)):
            writer.writerows(map(convert, batch))
            written += len(batch)
            if progress is not None and written % PROGRESS_EVERY < len(batch):
                progress(written, total)
    if progress is not None:
        progress(written, total)
    return ExportResult(path=path, rows=written)


def write_xlsx(path, filters: PortfolioFilters, *, staff: bool = True, progress: Progress | None = None
               ) -> ExportResult:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = columns_for(staff=staff)
    total = count_rows(filters) if progress is not None else 0  # only a progress bar needs it
    convert = row_converter(columns, theme_labels(), as_text=False)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Portfolio")
    sheet.freeze_panes = "C2"
    for index, column in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(12, min(40, len(column.header) + 2))
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    for row in stream(rows_select(filters, columns)):
        sheet.append(convert(row))
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written, total)
    with atomic_output(path, "wb") as handle:
        workbook.save(handle)
    if progress is not None:
        progress(written, total)
    return ExportResult(path=path, rows=written)
