"""The portfolio: what the fund funded, where, and what came of it.

Dashboard charts (server-side SVG), exports (CSV, XLSX, 360Giving JSON and
spreadsheet, PDF) and the synthetic data used to prove
all of it holds at 100,000 applications."""
