"""Draw a workflow definition as SVG, on the server, with no network and no JavaScript.

A small layered ("Sugiyama") layout, enough for the dozen-odd states of a grant
workflow: states are put in layers by their longest path from the initial state
(edges that go back up, such as "send the updated application", are reversed for
the layout), long edges get invisible waypoints in the layers they cross, the
order inside each layer follows its neighbours (barycentre sweeps), then each
node is pulled towards its neighbours without overlapping. The layout depends
only on the definition, so it is computed once per definition and reused; the
current state is a highlight applied when drawing.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from .definition import WorkflowDefinition

CHAR_WIDTH = 7.4      # average glyph width of the 13px sans-serif labels
LINE_HEIGHT = 17
NODE_PAD_X, NODE_PAD_Y = 14, 10
MIN_NODE_WIDTH = 120
LAYER_GAP = 46        # vertical space between layers
NODE_GAP = 26         # horizontal space between neighbours in a layer
DUMMY_WIDTH = 14
MARGIN = 16
WRAP = 22             # characters per label line


@dataclass
class _Node:
    name: str
    lines: list[str]
    width: float
    height: float
    is_dummy: bool = False
    layer: int = 0
    x: float = 0.0     # centre
    y: float = 0.0     # top


@dataclass
class _Edge:
    source: str
    dest: str
    labels: list[str]
    is_back: bool
    path: list[str] = field(default_factory=list)   # node names in layout order (downwards)


@dataclass
class Layout:
    nodes: dict[str, _Node]
    edges: list[_Edge]
    width: float
    height: float


#: embedded so the SVG looks the same inline and as a downloaded file (colours meet WCAG AA)
STYLE = (
    ".wf-node rect{fill:#fff;stroke:#0b3d6e;stroke-width:1.5}"
    ".wf-node text{font:13px system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;fill:#1b1b1b}"
    ".wf-initial rect{stroke-width:3}"
    ".wf-terminal .wf-inner{fill:none;stroke:#0b3d6e;stroke-width:1}"
    ".wf-current rect{fill:#0b3d6e;stroke:#f2b705;stroke-width:4}"
    ".wf-current .wf-inner{stroke:#fff}"
    ".wf-current text{fill:#fff;font-weight:700}"
    ".wf-edge{fill:none;stroke:#4a4a4a;stroke-width:1.3}"
    ".wf-edge-next{stroke:#0b3d6e;stroke-width:2.6}"
    ".wf-arrow{fill:#4a4a4a}"
)

_CACHE: dict[int, tuple[WorkflowDefinition, Layout]] = {}


def layout(definition: WorkflowDefinition) -> Layout:
    cached = _CACHE.get(id(definition))
    if cached is None or cached[0] is not definition:
        cached = (definition, _compute_layout(definition))
        _CACHE[id(definition)] = cached
    return cached[1]


def _compute_layout(definition: WorkflowDefinition) -> Layout:
    nodes: dict[str, _Node] = {}
    for state in definition.states.values():
        lines = textwrap.wrap(state.label, WRAP) or [state.name]
        width = max(MIN_NODE_WIDTH, max(len(line) for line in lines) * CHAR_WIDTH + 2 * NODE_PAD_X)
        nodes[state.name] = _Node(state.name, lines, width, len(lines) * LINE_HEIGHT + 2 * NODE_PAD_Y)

    pairs: dict[tuple[str, str], list[str]] = {}
    for transition in definition.transitions:
        for source in transition.sources:
            pairs.setdefault((source, transition.dest), []).append(transition.label)
    back = _back_edges(definition.initial, list(pairs))
    edges = [_Edge(s, d, labels, (s, d) in back) for (s, d), labels in pairs.items()]

    _assign_layers(definition.initial, nodes, edges)
    layers = _insert_dummies(nodes, edges)
    _order_layers(layers, edges)
    height = _place(nodes, layers, edges)
    width = max(n.x + n.width / 2 for n in nodes.values()) + MARGIN
    return Layout(nodes, edges, width, height)


def _back_edges(initial: str, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Edges that close a cycle, found by a depth-first walk from the initial state."""
    children: dict[str, list[str]] = {}
    for source, dest in pairs:
        children.setdefault(source, []).append(dest)
    back, done, on_path = set(), set(), set()

    def visit(name: str) -> None:
        on_path.add(name)
        for child in children.get(name, []):
            if child in on_path:
                back.add((name, child))
            elif child not in done:
                visit(child)
        on_path.discard(name)
        done.add(name)

    visit(initial)
    back.update((s, d) for s, d in pairs if s == d)
    return back


def _assign_layers(initial: str, nodes: dict[str, _Node], edges: list[_Edge]) -> None:
    forward = [(e.dest, e.source) if e.is_back else (e.source, e.dest) for e in edges if e.source != e.dest]
    layer = {initial: 0}
    changed = True
    while changed:  # longest path on a DAG: relax until stable (at most |V| rounds)
        changed = False
        for source, dest in forward:
            if source in layer and layer.get(dest, -1) < layer[source] + 1:
                layer[dest] = layer[source] + 1
                changed = True
    for name, node in nodes.items():
        node.layer = layer.get(name, 0)


def _insert_dummies(nodes: dict[str, _Node], edges: list[_Edge]) -> list[list[str]]:
    count = 0
    for edge in edges:
        top, bottom = (edge.dest, edge.source) if edge.is_back else (edge.source, edge.dest)
        edge.path = [top]
        for layer in range(nodes[top].layer + 1, nodes[bottom].layer):
            count += 1
            name = f"_dummy{count}"
            nodes[name] = _Node(name, [], DUMMY_WIDTH, 0, is_dummy=True, layer=layer)
            edge.path.append(name)
        edge.path.append(bottom)
    depth = max(n.layer for n in nodes.values()) + 1
    layers: list[list[str]] = [[] for _ in range(depth)]
    for name, node in nodes.items():  # definition order: the author's order is a good start
        layers[node.layer].append(name)
    return layers


def _neighbours(edges: list[_Edge]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    above: dict[str, list[str]] = {}
    below: dict[str, list[str]] = {}
    for edge in edges:
        for upper, lower in zip(edge.path, edge.path[1:]):
            below.setdefault(upper, []).append(lower)
            above.setdefault(lower, []).append(upper)
    return above, below


def _order_layers(layers: list[list[str]], edges: list[_Edge]) -> None:
    above, below = _neighbours(edges)
    for sweep in range(8):
        downwards = sweep % 2 == 0
        indices = range(1, len(layers)) if downwards else range(len(layers) - 2, -1, -1)
        for i in indices:
            reference = layers[i - 1] if downwards else layers[i + 1]
            position = {name: p for p, name in enumerate(reference)}
            links = above if downwards else below

            own = {name: p for p, name in enumerate(layers[i])}

            def barycentre(name):
                linked = [position[n] for n in links.get(name, []) if n in position]
                return sum(linked) / len(linked) if linked else own[name]

            layers[i].sort(key=barycentre)


def _place(nodes: dict[str, _Node], layers: list[list[str]], edges: list[_Edge]) -> float:
    above, below = _neighbours(edges)
    y = MARGIN
    for layer in layers:
        height = max((nodes[n].height for n in layer), default=0)
        for name in layer:
            nodes[name].y = y + (height - nodes[name].height) / 2
        y += height + LAYER_GAP
        x = 0.0
        for name in layer:
            nodes[name].x = x + nodes[name].width / 2
            x += nodes[name].width + NODE_GAP
    for sweep in range(6):  # pull nodes towards their neighbours, keeping order and spacing
        for i in (range(len(layers)) if sweep % 2 == 0 else range(len(layers) - 1, -1, -1)):
            layer = layers[i]
            for name in layer:
                linked = above.get(name, []) + below.get(name, [])
                if linked:
                    nodes[name].x = sum(nodes[n].x for n in linked) / len(linked)
            for left, right in zip(layer, layer[1:]):
                minimum = nodes[left].x + (nodes[left].width + nodes[right].width) / 2 + NODE_GAP
                if nodes[right].x < minimum:
                    nodes[right].x = minimum
    shift = MARGIN - min(n.x - n.width / 2 for n in nodes.values())
    for node in nodes.values():
        node.x += shift
    return y - LAYER_GAP + MARGIN


def _ports(layout_: Layout) -> dict[tuple[int, int], float]:
    """Spread the edges leaving or entering a node along its bottom or top side,
    so that a move and its way back do not draw on top of each other."""
    nodes = layout_.nodes
    ports: dict[tuple[int, int], float] = {}
    for side in (0, 1):  # 0: bottom of path[0] (edges leaving); 1: top of path[-1] (edges entering)
        by_node: dict[str, list[tuple[float, int]]] = {}
        for index, edge in enumerate(layout_.edges):
            owner, other = (edge.path[0], edge.path[1]) if side == 0 else (edge.path[-1], edge.path[-2])
            by_node.setdefault(owner, []).append((nodes[other].x, index))
        for owner, items in by_node.items():
            items.sort()
            span = nodes[owner].width * 0.6
            for rank, (_, index) in enumerate(items):
                offset = 0.0 if len(items) == 1 else -span / 2 + span * rank / (len(items) - 1)
                ports[(index, side)] = nodes[owner].x + offset
    return ports


def _edge_path(layout_: Layout, index: int, ports) -> str:
    edge = layout_.edges[index]
    nodes = layout_.nodes
    first, last = nodes[edge.path[0]], nodes[edge.path[-1]]
    points = [(ports[(index, 0)], first.y + first.height)]
    for name in edge.path[1:-1]:
        dummy = nodes[name]
        points.append((dummy.x, dummy.y))
    points.append((ports[(index, 1)], last.y))
    if edge.is_back:
        points.reverse()
    d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        middle = (y0 + y1) / 2
        d += f" C{x0:.1f},{middle:.1f} {x1:.1f},{middle:.1f} {x1:.1f},{y1:.1f}"
    return d


def render_svg(definition: WorkflowDefinition, current: str | None = None, *, id_prefix: str = "wf",
               standalone: bool = False) -> Markup:
    """The diagram as inline SVG; ``current`` is highlighted. The SVG has a
    title and description; pages pair it with the states and transitions table.
    Inside a page its style comes from ``static/css/grantflow.css`` (the
    Content-Security-Policy allows no inline style); a ``standalone`` file
    carries its own ``<style>``."""
    lay = layout(definition)
    ports = _ports(lay)
    title_id, desc_id, arrow_id = f"{id_prefix}-title", f"{id_prefix}-desc", f"{id_prefix}-arrow"
    description = (f"{len(definition.states)} states and {len(definition.transitions)} transitions, "
                   f"starting at “{definition.states[definition.initial].label}”.")
    if current in definition.states:
        description += f" The application is at “{definition.states[current].label}”."
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" '
        f'width="{lay.width:.0f}" height="{lay.height:.0f}">',
        f'<title id="{title_id}">Workflow diagram: {escape(definition.title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f"<style>{STYLE}</style>" if standalone else "",
        f'<defs><marker id="{arrow_id}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" '
        f'markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="wf-arrow"/>'
        f'</marker></defs>',
        '<g class="wf-edges">',
    ]
    for index, edge in enumerate(lay.edges):
        is_current = current is not None and edge.source == current
        out.append(f'<path d="{_edge_path(lay, index, ports)}" class="wf-edge{" wf-edge-next" if is_current else ""}" '
                   f'marker-end="url(#{arrow_id})"><title>{escape(" / ".join(edge.labels))}: '
                   f'{escape(definition.states[edge.source].label)} to '
                   f'{escape(definition.states[edge.dest].label)}</title></path>')
    out.append('</g><g class="wf-nodes">')
    for name, state in definition.states.items():
        node = lay.nodes[name]
        classes = ["wf-node"]
        if state.is_terminal:
            classes.append("wf-terminal")
        if name == definition.initial:
            classes.append("wf-initial")
        if name == current:
            classes.append("wf-current")
        left = node.x - node.width / 2
        out.append(f'<g class="{" ".join(classes)}"><rect x="{left:.1f}" y="{node.y:.1f}" '
                   f'width="{node.width:.1f}" height="{node.height:.1f}" rx="8"/>')
        if state.is_terminal:
            out.append(f'<rect class="wf-inner" x="{left + 3:.1f}" y="{node.y + 3:.1f}" '
                       f'width="{node.width - 6:.1f}" height="{node.height - 6:.1f}" rx="6"/>')
        for line_no, line in enumerate(node.lines):
            baseline = node.y + NODE_PAD_Y + LINE_HEIGHT * line_no + 13
            out.append(f'<text x="{node.x:.1f}" y="{baseline:.1f}" text-anchor="middle">{escape(line)}</text>')
        out.append("</g>")
    out.append("</g></svg>")
    return Markup("".join(out))
