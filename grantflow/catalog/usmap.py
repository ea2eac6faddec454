"""The map of the United States coloured by funded projects per state, drawn on
the server as SVG from ``us_map.json``: the Census Bureau's state boundaries
(public domain, via the npm package us-atlas, already projected), simplified and
turned into SVG path data by ``scripts/us_map/make_us_map.mjs``. No network, no
tiles and no JavaScript at run time; fills are classes of the static stylesheet
(the CSP allows no inline style)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..organisations.models import US_STATES

MAP_FILE = Path(__file__).with_name("us_map.json")
#: colour classes map-c0 .. map-c4 in static/css/catalog.css (c0: no project)
SHADES = 4


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    d: str


@dataclass(frozen=True)
class MapState:
    code: str
    name: str
    d: str
    projects: int
    css_class: str

    @property
    def label(self) -> str:
        if not self.projects:
            return f"{self.name}: no funded projects"
        return f"{self.name}: {self.projects} funded project{'s' if self.projects != 1 else ''}"


@dataclass(frozen=True)
class LegendEntry:
    css_class: str
    label: str


@dataclass(frozen=True)
class UsMap:
    view_box: str
    borders: str
    states: list[MapState]
    legend: list[LegendEntry]
    source: str


@lru_cache(maxsize=1)
def _shapes() -> tuple[str, str, str, tuple[Shape, ...]]:
    data = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    codes = {name: code for code, name in US_STATES.items()}
    shapes = tuple(Shape(codes[s["name"]], s["name"], s["d"]) for s in data["states"] if s["name"] in codes)
    return data["viewBox"], data["borders"], data["source"], shapes


def drawn_codes() -> set[str]:
    """The states and territories the map draws (the others are in the table only)."""
    return {shape.code for shape in _shapes()[3]}


def _bands(highest: int) -> list[tuple[int, int]]:
    """Up to SHADES ranges of counts (low, high) covering 1..highest, as even as whole numbers allow."""
    if highest <= 0:
        return []
    shades = min(SHADES, highest)
    bounds = [round(highest * i / shades) for i in range(shades + 1)]
    return [(bounds[i] + 1, bounds[i + 1]) for i in range(shades)]


def _describe(low: int, high: int) -> str:
    if low == high:
        return f"{low} project{'s' if low != 1 else ''}"
    return f"{low} to {high} projects"


def build_map(projects_by_state: dict[str, int]) -> UsMap:
    view_box, borders, source, shapes = _shapes()
    bands = _bands(max((projects_by_state.get(s.code, 0) for s in shapes), default=0))

    def css_class(count: int) -> str:
        for index, (low, high) in enumerate(bands, start=SHADES - len(bands) + 1):
            if low <= count <= high:
                return f"map-c{index}"
        return "map-c0"

    states = [MapState(s.code, s.name, s.d, projects_by_state.get(s.code, 0),
                      css_class(projects_by_state.get(s.code, 0))) for s in shapes]
    legend = [LegendEntry("map-c0", "No projects")] + [
        LegendEntry(f"map-c{index}", _describe(low, high))
        for index, (low, high) in enumerate(bands, start=SHADES - len(bands) + 1)]
    return UsMap(view_box, borders, states, legend, source)
