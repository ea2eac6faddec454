"""Charts drawn on the server as SVG: readable without JavaScript, printable by
WeasyPrint, and always paired with a data table in the page.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that
states the figures in words, so a screen reader gets the numbers even without the
table. Text is dark on white (contrast above 7:1); bars carry their value as text,
so colour never carries meaning on its own."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

BAR = "#1f4e79"
BAR_ALT = "#8a5a00"
TEXT = "#1b1b1b"
GRID = "#8c8c8c"

_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    #: the value as printed next to the bar ("$1,250,000", "42")
    shown: str
    #: an optional second value drawn as a marker line (a target)
    marker: float | None = None


#: average advance of a character at FONT_SIZE in the sans-serif fonts of svg.chart (static/css; digits are narrower)
FONT_SIZE = 14
CHAR_WIDTH = 7.8


def _lines(text: str, per_line: int, max_lines: int = 2) -> list[str]:
    """The label in at most ``max_lines`` lines; a longer one ends with "…"
    (the chart's description and the table beside it give it in full)."""
    lines = textwrap.wrap(text, per_line) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: per_line - 1].rstrip() + "…"
    return lines


def bar_chart(title: str, bars: list[Bar], *, description: str | None = None, width: int = 400,
              max_bars: int = 20, marker_label: str = "target") -> Markup:
    """A horizontal bar chart, one row per bar in the order given: the label on
    its own line(s) above the bar, the value after it, so neither is ever cut
    and the chart stays readable when it is scaled down to a phone's width.

    ``description`` defaults to a sentence listing every bar with its value."""
    chart_id = f"chart-{next(_ids)}"
    shown = bars[:max_bars]
    hidden = len(bars) - len(shown)
    value_width = int(max([len(b.shown) for b in shown] + [4]) * CHAR_WIDTH) + 10
    plot_width = width - value_width - 2
    per_line = int((width - 4) / CHAR_WIDTH)
    line_height, bar_height, gap = FONT_SIZE + 4, 16, 12
    scale_max = max([b.value for b in shown] + [b.marker or 0 for b in shown] + [0]) or 1
    if description is None:
        parts = [f"{b.label}: {b.shown}" for b in shown]
        description = f"{title}. " + ("; ".join(parts) if parts else "No data.")
        if hidden:
            description += f"; and {hidden} more in the table."
    rows, y = [], 4
    for bar in shown:
        label = _lines(bar.label, per_line)
        rows.append((bar, label, y))
        y += line_height * len(label) + bar_height + gap
    height = max(y, 32)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-size="{FONT_SIZE}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    if not shown:
        out.append(f'<text x="2" y="20" fill="{TEXT}">No data</text>')
    for bar, label, top in rows:
        for index, line in enumerate(label):
            out.append(f'<text x="2" y="{top + line_height * (index + 1) - 4}" fill="{TEXT}">{escape(line)}</text>')
        bar_top = top + line_height * len(label)
        length = max(0.0, plot_width * bar.value / scale_max)
        out.append(f'<line x1="0.5" y1="{bar_top - 1}" x2="0.5" y2="{bar_top + bar_height + 1}" stroke="{GRID}" />')
        out.append(f'<rect x="1" y="{bar_top}" width="{length:.1f}" height="{bar_height}" fill="{BAR}" />')
        if bar.marker is not None:
            mx = 1 + plot_width * bar.marker / scale_max
            out.append(f'<line x1="{mx:.1f}" y1="{bar_top - 3}" x2="{mx:.1f}" y2="{bar_top + bar_height + 3}" '
                       f'stroke="{BAR_ALT}" stroke-width="3"><title>{escape(marker_label)}</title></line>')
        out.append(f'<text x="{1 + length + 6:.1f}" y="{bar_top + bar_height - 3}" fill="{TEXT}">'
                   f'{escape(bar.shown)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
