"""Benchmark: the form definition engine and the applicant's form pages (issue 4).

- start-up: reading ``forms/applications/local_to_global.v1.yaml``, validating it and
  building its WTForms classes (one per page), as ``create_app`` does;
- one page in memory: the form built from the answers and a post, validated, the
  page's answers merged and its required questions and rules checked (what a
  "Save and continue" costs before the database), for the largest pages;
- the whole application's completeness check (``missing_required``) and the
  read-only answers (``answer_sections``);
- through HTTP (Flask test client, SQLite file): GET of a page and POST "Save and
  continue", templates, the ORM and the commit included.

    .venv/bin/python bench/application_forms.py            # about a minute on 2 busy cores
    .venv/bin/python bench/application_forms.py --quick
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.datastructures import MultiDict  # noqa: E402

from grantflow import create_app  # noqa: E402
from grantflow.core import formdefs  # noqa: E402
from grantflow.core.formdefs.builder import build_all  # noqa: E402
from grantflow.extensions import db  # noqa: E402

from tests import factories  # noqa: E402
from tests.factories_applications import complete_answers  # noqa: E402

FORM = ROOT / "forms/applications/local_to_global.v1.yaml"

POSTS = {
    "project": {"title": "Sister-city climate exchange", "project_summary": "Two delegations.",
                "themes": ["climate", "trade_investment"], "project_start": "2027-01-15",
                "project_end": "2027-12-31", **{f"partner_places-{i}-country": "Mexico" for i in range(5)},
                **{f"partner_places-{i}-city": f"City {i}" for i in range(5)}},
    "budget": {"amount_requested": "50000", "has_match": "no",
               **{f"budget_lines-{i}-category": "travel" for i in range(10)},
               **{f"budget_lines-{i}-description": f"Line {i}" for i in range(10)},
               **{f"budget_lines-{i}-amount": "5000" for i in range(10)}},
}


def timed(func, repeat: int) -> float:
    """Median milliseconds of ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def formdata(values: dict) -> MultiDict:
    data = MultiDict()
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            data.add(key, item)
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 50 if args.quick else 300
    tmp = Path(tempfile.mkdtemp())
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite'}", "UPLOAD_DIR": tmp / "up"})
    results = {}
    with app.app_context():
        db.create_all()
        results["start-up: parse, check and build the classes of the default form"] = timed(
            lambda: build_all(formdefs.load_file(FORM)), n // 3)
        definition = formdefs.load_form("applications", "local_to_global", 1)
        round_ = factories.create_round()
        applicant = factories.create_applicant()
        application = factories.create_application(round_, applicant.organisation, created_by=applicant)
        db.session.commit()
        answers = complete_answers()
        context = formdefs.application_context(application)
        for page_id, values in POSTS.items():
            page = definition.page(page_id)

            def one_page():
                with app.test_request_context(method="POST"):
                    form = formdefs.make_page_form(definition, page, answers, formdata=formdata(values))
                    formdefs.read_page(definition, page, form, answers, context=context, enforce_required=True)

            results[f"one page in memory: build, validate, merge, check ({page_id})"] = timed(one_page, n)
        results["missing_required over the whole application"] = timed(
            lambda: formdefs.missing_required(definition, answers, context), n * 3)
        results["answer_sections (read-only answers)"] = timed(
            lambda: formdefs.answer_sections(definition, answers), n * 3)

        client = app.test_client()
        client.post("/login", data={"email": applicant.email, "password": factories.PASSWORD})
        url = f"/applications/{application.id}/pages/budget"
        results["HTTP GET a page (budget)"] = timed(lambda: client.get(url), n // 3)
        post = {"_action": "continue", **POSTS["budget"]}
        results["HTTP POST Save and continue (budget, 10 lines, committed)"] = timed(
            lambda: client.post(url, data=post), n // 3)
        db.session.remove()
        db.engine.dispose()
    print(json.dumps({k: round(v, 3) for k, v in results.items()}))
    print("\n| what | median |\n|---|---|")
    for what, ms in results.items():
        print(f"| {what} | {ms:.2f} ms |")


if __name__ == "__main__":
    main()
