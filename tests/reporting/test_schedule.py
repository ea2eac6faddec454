"""Report due dates as a table: month ends, leap years, per-fund settings."""
from __future__ import annotations

from datetime import date

import pytest

from grantflow.reporting.schedule import (
    ScheduleError, add_months, plan_reports, reminder_kind, reporting_settings,
)

D = date


@pytest.mark.parametrize("start, months, expected", [
    (D(2024, 8, 31), 6, D(2025, 2, 28)),    # into a common-year February
    (D(2023, 8, 31), 6, D(2024, 2, 29)),    # into a leap-year February
    (D(2024, 2, 29), 12, D(2025, 2, 28)),   # a leap day a year on
    (D(2024, 2, 29), 48, D(2028, 2, 29)),   # and four years on
    (D(2025, 1, 31), 1, D(2025, 2, 28)),
    (D(2025, 3, 31), 6, D(2025, 9, 30)),    # 31st into a 30-day month
    (D(2025, 1, 15), 6, D(2025, 7, 15)),
    (D(2025, 11, 30), 3, D(2026, 2, 28)),   # across a year end
])
def test_add_months_clamps_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize("start, end, months, days, expected_due", [
    # 12 months from Jan 1: one interim at six months, final 120 days after Dec 31
    (D(2025, 1, 1), D(2025, 12, 31), 6, 120, [D(2025, 7, 1), D(2026, 4, 30)]),
    # 24 months from a month end: no drift (Aug 31, not Aug 28) and a leap-year February
    (D(2023, 8, 31), D(2025, 8, 30), 6, 120,
     [D(2024, 2, 29), D(2024, 8, 31), D(2025, 2, 28), D(2025, 12, 28)]),
    # final report due date crossing a leap day: Dec 31, 2023 + 120 days
    (D(2023, 1, 1), D(2023, 12, 31), 6, 120, [D(2023, 7, 1), D(2024, 4, 29)]),
    # a period shorter than the interval: the final report only
    (D(2025, 3, 1), D(2025, 8, 31), 6, 120, [D(2025, 12, 29)]),
    # an interim date falling on the last day of the period is left to the final report
    (D(2025, 1, 1), D(2025, 7, 1), 6, 120, [D(2025, 10, 29)]),
    # quarterly reporting and a 90-day final report (a fund's own settings)
    (D(2025, 1, 1), D(2025, 12, 31), 3, 90,
     [D(2025, 4, 1), D(2025, 7, 1), D(2025, 10, 1), D(2026, 3, 31)]),
    # interim reporting switched off
    (D(2025, 1, 1), D(2026, 12, 31), 0, 120, [D(2027, 4, 30)]),
])
def test_planned_due_dates(start, end, months, days, expected_due):
    planned = plan_reports(start, end, interim_report_months=months, final_report_days=days)
    assert [p.due_on for p in planned] == expected_due
    assert [p.kind for p in planned] == ["interim"] * (len(expected_due) - 1) + ["final"]


def test_reporting_periods_tile_the_period_of_performance():
    planned = plan_reports(D(2023, 8, 31), D(2025, 8, 30))
    assert planned[0].period_start == D(2023, 8, 31)
    for previous, following in zip(planned, planned[1:]):
        assert (following.period_start - previous.period_end).days == 1
    assert planned[-1].period_end == D(2025, 8, 30)
    assert [p.title for p in planned] == ["Interim report 1", "Interim report 2", "Interim report 3",
                                         "Final report"]


def test_period_ending_before_it_starts_is_refused():
    with pytest.raises(ScheduleError, match="ends before it starts"):
        plan_reports(D(2025, 6, 1), D(2025, 5, 31))


@pytest.mark.parametrize("fund_settings, expected", [
    (None, {"interim_report_months": 6, "final_report_days": 120, "reminder_days_before": 14}),
    ({"interim_report_months": 3}, {"interim_report_months": 3, "final_report_days": 120,
                                    "reminder_days_before": 14}),
    ({"final_report_days": 90, "other": "x"}, {"interim_report_months": 6, "final_report_days": 90,
                                               "reminder_days_before": 14}),
])
def test_fund_settings_override_the_defaults(fund_settings, expected):
    assert reporting_settings(fund_settings) == expected


@pytest.mark.parametrize("bad", [{"interim_report_months": "six"}, {"final_report_days": -1},
                                 {"interim_report_months": True}])
def test_bad_fund_settings_are_refused_with_the_key_named(bad):
    with pytest.raises(ScheduleError, match=next(iter(bad))):
        reporting_settings(bad)


@pytest.mark.parametrize("today, expected", [
    (D(2025, 6, 1), None),          # 30 days ahead
    (D(2025, 6, 16), None),         # 15 days ahead
    (D(2025, 6, 17), "before"),     # 14 days ahead
    (D(2025, 6, 30), "before"),     # the day before
    (D(2025, 7, 1), "due"),
    (D(2025, 7, 2), "overdue"),
    (D(2025, 9, 1), "overdue"),
])
def test_reminder_owed_on_each_day(today, expected):
    assert reminder_kind(D(2025, 7, 1), today, days_before=14) == expected
