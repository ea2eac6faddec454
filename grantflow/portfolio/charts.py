"""Charts drawn on the server as SVG: readable without JavaScript, printable by
WeasyPrint, and always paired with a data table in the page.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that
states the figures in words, so a screen reader gets the numbers even without the
table. Text is dark on white (contrast above 7:1); bars carry their value as text,
so colour never carries meaning on its own."""
from __future__ import annotations

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


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(title: str, bars: list[Bar], *, description: str | None = None, width: int = 640,
              label_width: int = 230, row_height: int = 26, max_bars: int = 20,
              marker_label: str = "target") -> Markup:
    """A horizontal bar chart (one row per bar, longest first as given).

    ``description`` defaults to a sentence listing every bar with its value."""
    chart_id = f"chart-{next(_ids)}"
    shown = bars[:max_bars]
    hidden = len(bars) - len(shown)
    value_width = 110
    plot_width = width - label_width - value_width
    top = 8
    height = top + row_height * max(len(shown), 1) + 8
    scale_max = max([b.value for b in shown] + [b.marker or 0 for b in shown] + [0]) or 1
    if description is None:
        parts = [f"{b.label}: {b.shown}" for b in shown]
        description = f"{title}. " + ("; ".join(parts) if parts else "No data.")
        if hidden:
            description += f"; and {hidden} more in the table."
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{height - 4}" stroke="{GRID}" />',
    ]
    if not shown:
        out.append(f'<text x="{label_width + 8}" y="{top + 17}" fill="{TEXT}" font-size="13">No data</text>')
    for index, bar in enumerate(shown):
        y = top + index * row_height
        length = max(0.0, plot_width * bar.value / scale_max)
        out.append(f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" fill="{TEXT}" '
                   f'font-size="13">{escape(_clip(bar.label, 32))}</text>')
        out.append(f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row_height - 8}" '
                   f'fill="{BAR}" />')
        if bar.marker is not None:
            mx = label_width + plot_width * bar.marker / scale_max
            out.append(f'<line x1="{mx:.1f}" y1="{y + 1}" x2="{mx:.1f}" y2="{y + row_height - 1}" '
                       f'stroke="{BAR_ALT}" stroke-width="3"><title>{escape(marker_label)}</title></line>')
        out.append(f'<text x="{label_width + length + 6:.1f}" y="{y + 17}" fill="{TEXT}" '
                   f'font-size="13">{escape(bar.shown)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
