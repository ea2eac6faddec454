"""Template helpers: the dashboard panel of reports needing staff attention."""
from __future__ import annotations


def reporting_attention() -> dict:
    """Overdue and submitted reports (at most 20 of each), for the staff dashboard panel."""
    from .reminders import today_utc
    from .views_staff import overview_rows

    today = today_utc()
    overdue, awaiting = overview_rows(today)
    return {"today": today, "overdue": overdue[:20], "awaiting": awaiting[:20]}


def init_app(app) -> None:
    app.add_template_global(reporting_attention, "reporting_attention")
