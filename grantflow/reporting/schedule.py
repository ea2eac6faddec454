"""When reports fall due: pure date arithmetic, no database.

Interim reports fall due every N months counted from the start of the period of
performance; the final report falls due a fixed number of days after its end
(120 by default: 2 CFR 200.344). Each interim date is computed from the start
(start + k*N months), never from the previous date, so a month-end start does
not drift: Aug 31 + 6 months is Feb 28 (29 in a leap year) and + 12 months is
Aug 31 again, not Aug 28."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

DEFAULTS = {
    "interim_report_months": 6,
    "final_report_days": 120,
    "reminder_days_before": 14,
}


class ScheduleError(ValueError):
    """The award's period or the fund's settings make no schedule possible."""


@dataclass(frozen=True)
class PlannedReport:
    kind: str          # "interim" or "final"
    sequence: int      # 1, 2, ... within its kind
    period_start: date
    period_end: date
    due_on: date

    @property
    def title(self) -> str:
        return f"Interim report {self.sequence}" if self.kind == "interim" else "Final report"


def reporting_settings(fund_settings: dict | None) -> dict:
    """The fund's reporting settings over the defaults, checked."""
    settings = dict(DEFAULTS)
    for key in DEFAULTS:
        if fund_settings and fund_settings.get(key) is not None:
            settings[key] = fund_settings[key]
    for key, value in settings.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ScheduleError(f"The fund setting '{key}' must be a whole number of at least 0 "
                                f"(it is {value!r}).")
    return settings


def add_months(start: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    return start + relativedelta(months=months)


def plan_reports(period_start: date, period_end: date, *, interim_report_months: int = 6,
                 final_report_days: int = 120) -> list[PlannedReport]:
    """Interim reports every ``interim_report_months`` (0 means none) while the
    due date falls strictly before the end of the period (the final report covers
    the last stretch), then the final report ``final_report_days`` after the end."""
    if period_end < period_start:
        raise ScheduleError("The period of performance ends before it starts.")
    planned: list[PlannedReport] = []
    if interim_report_months:
        sequence = 1
        covered_from = period_start
        while True:
            due = add_months(period_start, sequence * interim_report_months)
            if due >= period_end:
                break
            planned.append(PlannedReport("interim", sequence, covered_from, due - timedelta(days=1), due))
            covered_from = due
            sequence += 1
        final_from = covered_from
    else:
        final_from = period_start
    planned.append(PlannedReport("final", 1, final_from, period_end,
                                 period_end + timedelta(days=final_report_days)))
    return planned


def reminder_kind(due_on: date, today: date, days_before: int = 14) -> str | None:
    """Which reminder is owed today for a report due on ``due_on``, if any.

    "before" from ``days_before`` days ahead up to the day before, "due" on the
    day, "overdue" after it. A run that was missed still sends the reminder the
    next day; the unique (report, kind) row makes each one go out once."""
    if today > due_on:
        return "overdue"
    if today == due_on:
        return "due"
    if (due_on - today).days <= days_before:
        return "before"
    return None
