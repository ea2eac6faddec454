"""Every export format agrees with the database: counts and sums of amounts."""
from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from grantflow.applications.models import Application
from grantflow.extensions import db
from grantflow.portfolio.exports import FORMATS, ExportError, run_export
from grantflow.portfolio.filters import PortfolioFilters
from tests.portfolio.reference_schema import reference_errors
from tests.factories_portfolio import PORTFOLIO_FIGURES as FIG
from tests.factories_portfolio import create_portfolio


def _cents(text: str) -> int:
    return int(Decimal(text) * 100) if text else 0


@pytest.fixture
def portfolio():
    made = create_portfolio()
    db.session.commit()
    return made


def test_csv_has_one_row_per_application_and_the_same_sums(portfolio, tmp_path):
    result = run_export("csv", tmp_path / "p.csv", PortfolioFilters())
    with open(tmp_path / "p.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert result.rows == len(rows) == FIG["applications"] == db.session.scalar(select(func.count(Application.id)))
    assert sum(_cents(r["Amount requested (USD)"]) for r in rows) == FIG["requested_all_cents"]
    assert sum(_cents(r["Amount awarded (USD)"]) for r in rows) == FIG["awarded_cents"]
    assert sum(_cents(r["Amount paid (USD)"]) for r in rows) == FIG["paid_cents"]
    first = next(r for r in rows if r["Organization"] == "City of Des Moines" and r["Workflow state"] == "active")
    assert first["Themes"] == "Climate action and the clean-energy transition; Trade and foreign direct investment"
    assert first["Raw score (mean, 0-100)"] == "82.50" and first["Calibrated score (0-100)"] == "82.50"
    assert first["Reviewers"] == "Rita Reviewer"
    assert first["Target: Jobs created"] == "20" and first["Actual: Jobs created"] == "9"  # latest accepted report
    assert first["Submitted on"] == "2025-01-20" and first["Period end"] == "2026-03-31"


def test_csv_public_variant_has_no_reviewer_names(portfolio, tmp_path):
    FORMATS["csv"].write(tmp_path / "p.csv", PortfolioFilters(), staff=False)
    text = (tmp_path / "p.csv").read_text(encoding="utf-8")
    assert "Reviewers" not in text and "Rita Reviewer" not in text


def test_filters_narrow_every_format(portfolio, tmp_path):
    filters = PortfolioFilters(us_state="TX")
    assert run_export("csv", tmp_path / "tx.csv", filters).rows == 1
    package = tmp_path / "tx.json"
    assert run_export("360giving", package, filters).rows == 1
    grant = json.loads(package.read_text())["grants"][0]
    assert grant["recipientOrganization"][0]["name"] == "El Paso County"


def test_xlsx_opens_with_openpyxl_and_agrees(portfolio, tmp_path):
    run_export("xlsx", tmp_path / "p.xlsx", PortfolioFilters())
    sheet = load_workbook(tmp_path / "p.xlsx")["Portfolio"]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == FIG["applications"]
    column = {name: i for i, name in enumerate(header)}

    def total(name):
        return int(sum(Decimal(str(r[column[name]] or 0)) for r in body) * 100)

    assert total("Amount requested (USD)") == FIG["requested_all_cents"]
    assert total("Amount awarded (USD)") == FIG["awarded_cents"]
    assert total("Amount paid (USD)") == FIG["paid_cents"]


def test_360giving_json_validates_and_agrees(portfolio, tmp_path, app):
    path = tmp_path / "grants.json"
    result = run_export("360giving", path, PortfolioFilters())
    package = json.loads(path.read_text(encoding="utf-8"))
    assert reference_errors(package) == []
    grants = package["grants"]
    assert result.rows == len(grants) == FIG["grants"]
    assert sum(Decimal(str(g["amountAwarded"])) for g in grants) * 100 == FIG["awarded_cents"]
    assert sum(Decimal(str(g["amountDisbursed"])) for g in grants) * 100 == FIG["paid_cents"]
    prefix = app.config["PUBLISHER_PREFIX"]
    by_name = {g["recipientOrganization"][0]["name"]: g for g in grants}
    des_moines, el_paso = by_name["City of Des Moines"], by_name["El Paso County"]
    assert des_moines["id"] == f"360G-{prefix}-{portfolio['apps'][0].id}"
    assert des_moines["recipientOrganization"][0]["id"] == "US-SAM-ABCDEFGH1234"
    assert el_paso["recipientOrganization"][0]["id"] == "US-EIN-746000000"
    assert des_moines["fundingOrganization"] == [{"id": "US-GOV-OCSD", "name": "Office of City and State Diplomacy"}]
    assert {c["code"] for c in des_moines["classifications"]} == {"climate", "trade_investment"}
    assert des_moines["plannedDates"][0] == {"startDate": "2025-04-01", "endDate": "2026-03-31", "duration": 12}
    assert des_moines["amountAppliedFor"] == 100000 and des_moines["awardDate"] == "2025-03-14"
    assert des_moines["fromOpenCall"] == "Yes" and des_moines["currency"] == "USD"
    assert package["version"] == "1.4"


def test_360giving_fallback_recipient_id(tmp_path, app, f):
    from tests.factories_portfolio import create_case

    org = f.create_organisation(name="Pueblo of Nowhere", applicant_type="I", state="NM")
    application = create_case(state="active", awarded=2_000_000, paid=(1_000_000,), organisation=org)  # accepted
    db.session.commit()
    run_export("360giving", tmp_path / "g.json", PortfolioFilters())
    grant = json.loads((tmp_path / "g.json").read_text())["grants"][0]
    assert grant["recipientOrganization"][0]["id"] == f"360G-{app.config['PUBLISHER_PREFIX']}-org-{org.id}"
    assert grant["id"].endswith(f"-{application.id}")


def test_360giving_refuses_an_empty_package_and_writes_nothing(tmp_path, f):
    f.create_application(state="submitted")
    db.session.commit()
    with pytest.raises(ExportError, match="at least one grant"):
        run_export("360giving", tmp_path / "none.json", PortfolioFilters())
    assert list(tmp_path.iterdir()) == []


def test_360giving_spreadsheet_has_standard_titles_and_prefixed_extras(portfolio, tmp_path):
    run_export("360giving-xlsx", tmp_path / "g.xlsx", PortfolioFilters())
    book = load_workbook(tmp_path / "g.xlsx")
    rows = list(book["grants"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    for title in ("Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
                  "Recipient Org:Identifier", "Recipient Org:Name", "Funding Org:Identifier", "Funding Org:Name",
                  "Planned Dates:Start Date", "Grant Programme:Title", "From An Open Call?", "Last Modified"):
        assert title in header
    extras = [h for h in header if h.startswith(("US:", "Metrics:"))]
    assert "US:UEI" in extras and "US:BusinessTypes" in extras and "Metrics:Target:Jobs created" in extras
    assert len(body) == FIG["grants"]
    awarded = header.index("Amount Awarded")
    assert sum(Decimal(str(r[awarded])) for r in body) * 100 == FIG["awarded_cents"]
    classifications = list(book["classifications"].iter_rows(values_only=True))
    assert classifications[0] == ("Identifier", "Classifications:Vocabulary", "Classifications:Code",
                                  "Classifications:Title")
    assert len(classifications) - 1 == 3  # climate + trade (Des Moines), migration (El Paso)


def test_pdf_report_holds_the_totals(portfolio, tmp_path):
    run_export("pdf", tmp_path / "r.pdf", PortfolioFilters())
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "r.pdf").pages)
    for figure in ("$130,000.00", "$90,000.00", "$380,000.00"):  # awarded, paid, requested (submitted)
        assert figure in text
    assert "Forty residents joined a trade mission." in text
    assert "Unconsented story." not in text


def test_360giving_spreadsheet_refuses_an_empty_package(tmp_path, f):
    f.create_application(state="declined")
    db.session.commit()
    with pytest.raises(ExportError, match="at least one grant"):
        run_export("360giving-xlsx", tmp_path / "none.xlsx", PortfolioFilters())
    assert list(tmp_path.iterdir()) == []
