"""The dashboard's SVG charts: labels and values are never cut, counts read as English."""
from __future__ import annotations

import re

import pytest

from grantflow.portfolio.charts import CHAR_WIDTH, Bar, bar_chart
from grantflow.portfolio.charts_data import _money_bars
from grantflow.portfolio.queries import Slice

LONG = "Public health diplomacy and pandemic preparedness cooperation"


def texts(svg: str) -> list[tuple[float, str]]:
    return [(float(x), text) for x, text in re.findall(r'<text x="([\d.]+)"[^>]*>([^<]*)</text>', svg)]


@pytest.mark.parametrize("label, value_text", [
    (LONG, "$755,000 (5 grants)"),
    ("Trade", "$1,250,000,000 (120 grants)"),
    ("Climate", "12"),
])
def test_labels_and_values_are_whole_and_inside_the_chart(label, value_text):
    svg = str(bar_chart("Awarded", [Bar(label, 100, value_text), Bar("Other", 40, "1")]))
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
    found = texts(svg)
    assert value_text in [text for _, text in found]
    assert " ".join(text for _, text in found[:-3]) == label          # wrapped onto lines, not cut
    for x, text in found:
        assert x >= 0 and x + len(text) * CHAR_WIDTH <= width + 1, f"{text!r} sticks out"


def test_a_label_longer_than_two_lines_ends_with_an_ellipsis_and_stays_in_the_description():
    label = " ".join([LONG] * 3)
    svg = str(bar_chart("Awarded", [Bar(label, 1, "1")]))
    lines = [text for _, text in texts(svg)][:-1]
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert label in svg.split("<desc")[1]


@pytest.mark.parametrize("grants, shown", [(1, "$5,000 (1 grant)"), (2, "$5,000 (2 grants)")])
def test_grant_counts_are_singular_or_plural(grants, shown):
    bar, = _money_bars([Slice("climate", "Climate", applications=3, grants=grants, requested_cents=900_000,
                              awarded_cents=500_000)])
    assert bar.shown == shown
