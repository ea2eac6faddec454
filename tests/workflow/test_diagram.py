"""The server-side SVG diagram: well-formed, every state and move drawn, boxes
that do not overlap, the current state highlighted, an accessible name."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from grantflow.core import workflow
from grantflow.core.workflow.diagram import layout, render_svg

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(params=["local_to_global", "small_grant"])
def definition(request):
    return workflow.get_definition(request.param, 1)  # the version the factories' rounds run


def test_the_svg_is_well_formed_and_complete(definition):
    root = ET.fromstring(str(render_svg(definition)))
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id and root.find(f"{SVG}desc").get("id") == desc_id
    nodes = root.findall(f".//{SVG}g[@class]")
    drawn = {" ".join(t.text for t in g.findall(f"{SVG}text")) for g in nodes if "wf-node" in g.get("class").split()}
    assert len(drawn) == len({s.label for s in definition.states.values()})
    pairs = {(source, t.dest) for t in definition.transitions for source in t.sources}
    assert len(root.findall(f".//{SVG}path[@marker-end]")) == len(pairs)


def test_boxes_do_not_overlap(definition):
    nodes = [n for n in layout(definition).nodes.values() if not n.is_dummy]
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            apart_x = abs(a.x - b.x) >= (a.width + b.width) / 2
            apart_y = a.y + a.height <= b.y or b.y + b.height <= a.y
            assert apart_x or apart_y, (a.name, b.name)


def test_moves_go_down_except_the_ways_back(definition):
    nodes = layout(definition).nodes
    for edge in layout(definition).edges:
        source, dest = nodes[edge.source], nodes[edge.dest]
        assert (dest.layer < source.layer) if edge.is_back else (dest.layer > source.layer)


def test_the_current_state_is_highlighted_and_described(definition):
    svg = str(render_svg(definition, current="screening", id_prefix="x"))
    root = ET.fromstring(svg)
    current = [g for g in root.iter(f"{SVG}g") if "wf-current" in (g.get("class") or "").split()]
    assert len(current) == 1
    assert definition.states["screening"].label in " ".join(t.text for t in current[0].iter(f"{SVG}text"))
    assert f"The application is at “{definition.states['screening'].label}”." in root.find(f"{SVG}desc").text
    assert 'id="x-title"' in svg


def test_labels_are_escaped():
    from grantflow.core.workflow.definition import parse

    definition = parse({"key": "escape_me", "version": 1, "initial": "a", "title": "<script>",
                        "states": {"a": {"label": "A & <b>"}, "b": {"label": "B", "terminal": True}},
                        "transitions": [{"trigger": "go", "source": "a", "dest": "b", "roles": ["admin"],
                                         "label": "Go <now>"}]})
    svg = str(render_svg(definition))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "A &amp; &lt;b&gt;" in svg
    ET.fromstring(svg)
