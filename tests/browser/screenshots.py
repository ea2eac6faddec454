"""Screenshots of the pages each kind of user lives in, at a phone's and a
desktop's width, for docs/screenshots/ (and the checks the browser tests make
on the same pages: nothing scrolls sideways, no chart text is cut, the ranking
reads at 1,280 px).

    PYTHONPATH=. .venv/bin/python -m tests.browser.screenshots [OUT_DIR]

seeds the demo fund into a temporary database, serves it on a free port,
and writes <page>-<width>.png into OUT_DIR (default docs/screenshots/).
``tests/browser/test_layout.py`` runs ``take_screenshots`` on the live server."""
from __future__ import annotations

import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

WIDTHS = (390, 1280)
PASSWORD = "grantflow-demo"
ADMIN = "admin@demo.example.org"

# What a page measures in the browser: does it scroll sideways, which chart
# texts stick out of their SVG, how tall the ranking's titles and buttons are.
MEASURE = """() => {
  const cut = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const width = svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll('text')) {
      const box = text.getBBox();
      if (box.x < -0.5 || box.x + box.width > width + 0.5) cut.push(text.textContent);
    }
  }
  const lines = el => {  // the lines of text in the element (a cell is as tall as its row: measure its contents)
    const range = document.createRange();
    range.selectNodeContents(el);
    return Math.round(range.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight));
  };
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, cutChartTexts: cut,
    scrollHeight: document.documentElement.scrollHeight,
    closedTables: [...document.querySelectorAll('.chart-panel')].map(p => {
      const table = p.querySelector('table');
      return table === null || table.closest('details') !== null;
    }),
    titleLines: [...document.querySelectorAll('table.ranking td.title')].map(lines),
    rankingFits: [...document.querySelectorAll('table.ranking')].every(t => t.parentElement.scrollWidth <= t.parentElement.clientWidth),
    buttonLines: [...document.querySelectorAll('table.ranking td.decisions .button')].map(lines),
  };
}"""


@dataclass
class Shot:
    name: str
    width: int
    path: Path
    measured: dict = field(default_factory=dict)


def demo_pages(app) -> dict[str, tuple[str, str]]:
    """name -> (who signs in, url) for the four pages, from the seeded demo."""
    from grantflow.applications.models import Application
    from grantflow.core import formdefs
    from grantflow.extensions import db
    from grantflow.funds.models import Round
    from grantflow.reviews.models import Review, ReviewAssignment
    from grantflow.users.models import User

    with app.app_context():
        draft = db.session.scalars(select(Application).where(Application.state == "draft")
                                   .order_by(Application.id)).first()
        lead = db.session.scalars(select(User).where(User.organisation_id == draft.organisation_id)).first()
        page = formdefs.definition_for(draft).pages[1].id
        assignment = db.session.scalars(
            select(ReviewAssignment).join(Review, Review.assignment_id == ReviewAssignment.id)
            .where(ReviewAssignment.status == "active", ReviewAssignment.coi_status == "none")
            .order_by(ReviewAssignment.id)).first()
        reviewer = db.session.get(User, assignment.reviewer_id)
        ranked = db.session.scalars(select(Round).order_by(Round.opens_at)).first()
        return {
            "applicant-form": (lead.email, f"/applications/{draft.id}/pages/{page}"),
            "reviewer-review": (reviewer.email, f"/reviews/assignments/{assignment.id}"),
            "admin-ranking": (ADMIN, f"/reviews/admin/rounds/{ranked.id}/ranking"),
            "admin-dashboard": (ADMIN, "/admin/portfolio/"),
        }


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def take_screenshots(browser, base_url: str, pages: dict[str, tuple[str, str]], out_dir: Path) -> list[Shot]:
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = []
    for name, (email, url) in pages.items():
        for width in WIDTHS:
            context = browser.new_context(base_url=base_url, locale="en-US",
                                          viewport={"width": width, "height": 900})
            try:
                page = context.new_page()
                _sign_in(page, email)
                page.goto(url)
                path = out_dir / f"{name}-{width}.png"
                page.screenshot(path=str(path), full_page=True)
                shots.append(Shot(name, width, path, page.evaluate(MEASURE)))
            finally:
                context.close()
    return shots


def main(out_dir: Path) -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from grantflow import create_app
    from grantflow.demo.seed import seed_demo
    from grantflow.extensions import db
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "screenshots", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/demo.sqlite",
                          "REDIS_URL": None, "MAIL_SERVER": None, "UPLOAD_DIR": Path(tmp) / "uploads",
                          "LETTER_DIR": Path(tmp) / "letters", "EXPORT_DIR": Path(tmp) / "exports"})
        with app.app_context():
            db.create_all()
            seed_demo()
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                shots = take_screenshots(browser, f"http://127.0.0.1:{server.server_port}", demo_pages(app),
                                         out_dir)
                browser.close()
        finally:
            server.shutdown()
    for shot in shots:
        print(f"{shot.path}  ({shot.measured['scrollWidth']} px wide at {shot.width})")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "docs" / "screenshots")
