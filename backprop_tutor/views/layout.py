"""Where the network diagram puts things: node positions, sizes in points, where each edge label sits.

Computed once per diagram, from the network, its names and the size of the Axes in points;
nothing here draws. Node ids and edges are those of teaching/touches.py.
"""

from __future__ import annotations

import math

from ..core.spec import Network
from ..teaching.notation import Namer
from ..teaching.touches import ERROR_NODE, edge_parameter

__all__ = ["DENSE_EDGES", "DENSE_LAYER", "DiagramLayout"]

DENSE_EDGES = 16         # a layer pair with more edges than this labels only highlighted edges
DENSE_LAYER = 6          # a layer with more neurons than this shows values only when highlighted


class DiagramLayout:
    """Positions (data units), sizes (points) and label spots of one diagram of ``network``.

    ``positions`` (node -> (x, y)), ``nodes``, ``edges``, ``diameter``, ``font``, ``small``
    (fonts in points), ``value_mode`` ("stacked", "columns" or "line": how values sit under a
    neuron), ``xlim``/``ylim``, ``label_t`` (labelled edge -> where along it its label sits,
    0 at the source) and ``dense`` (layer -> whether its incoming edges are labelled only when
    highlighted). ``min_font`` (points) is the smallest text size allowed (0: sizes follow the
    Axes); a ``sparse`` diagram (by default, one with a ``min_font``) writes names only, no values
    (the step's text gives them).
    """

    def __init__(self, network: Network, namer: Namer, show_error: bool, size: tuple, min_font: float = 0.0,
                 sparse: bool | None = None):
        self.network, self.namer, self.show_error = network, namer, show_error
        self.min_font = float(min_font)
        self.sparse = self.min_font > 0 if sparse is None else bool(sparse)
        self.positions = _positions(network, show_error)
        self.nodes = list(self.positions)
        self.edges = _edges(network, show_error)
        self._scale(*(max(v, 1.0) for v in size))
        self.label_t, self.dense = self._label_positions()

    # -- structure ---------------------------------------------------------------------
    def kind(self, node) -> str:
        """A node's kind, which picks its fill: input, hidden, output, bias or error."""
        if node == ERROR_NODE:
            return "error"
        if node[0] == "bias":
            return "bias"
        return "input" if node[0] == 0 else "output" if node[0] == self.network.depth else "hidden"

    def labelled(self, edge) -> bool:
        """Whether an edge carries its own label (a shared bias is named once, at its node)."""
        return edge[1] != ERROR_NODE and not (edge[0][0] == "bias" and self.network.parameters.shared)

    def dense_layer(self, node) -> bool:
        """Whether a node's layer is too crowded to write every value under it."""
        return node[0] != "bias" and node != ERROR_NODE and self.network.layers[node[0]] > DENSE_LAYER

    def radius(self, node) -> float:
        """A node's radius in points."""
        big = node == ERROR_NODE and self.namer.notation == "mazur"   # room for E_total
        return self.diameter * (0.725 if big else 0.5)

    def along(self, edge, t) -> tuple:
        """The point a fraction t of the way along an edge, in data units."""
        (x0, y0), (x1, y1) = self.positions[edge[0]], self.positions[edge[1]]
        return x0 + t * (x1 - x0), y0 + t * (y1 - y0)

    # -- sizes -------------------------------------------------------------------------
    def _scale(self, width: float, height: float):
        """Node size, fonts and axis limits, so that nodes and their texts fit ``width`` x ``height`` points."""
        xs = [p[0] for p in self.positions.values()]
        ys = [p[1] for p in self.positions.values()]
        span_x, span_y = max(xs) - min(xs), max(ys) - min(ys) or 1.0
        self.pt_x, self.pt_y = width / (span_x + 0.64), height / (span_y + 1.0)
        for _ in range(3):  # sizes depend on the scale, and the margins on the sizes
            d = self.diameter = min(max(0.36 * min(self.pt_y, 0.5 * self.pt_x), 12.0), 42.0)
            self.font = min(max(0.4 * d, 7.0), 16.0)
            s = self.small = min(max(0.29 * d, 6.5), 11.5)
            if s < self.min_font:
                # Larger type than the Axes would give: nodes grow with their names.
                s = self.small = self.min_font
                self.font = max(self.font, 1.15 * s)
                d = self.diameter = max(d, 2.2 * self.font)
            if not self.sparse and d + 4 * 1.3 * s + 6 <= self.pt_y:
                self.value_mode = "stacked"     # one value per line
            elif d + 2 * 1.3 * s + 4 <= self.pt_y:
                self.value_mode = "columns"     # two values per line
            else:
                self.value_mode = "line"        # one line, highlighted neurons only
            left = max(0.5 * d, 2.5 * s) + 6
            right = (0.75 * d if self.show_error else max(0.5 * d, 7 * s)) + 10
            lines = 0 if self.sparse else 2 if self.network.parameters.has_bias else \
                {"stacked": 4, "columns": 2, "line": 1}[self.value_mode]
            top, bottom = 0.75 * d + 4, 0.5 * d + lines * 1.3 * s + 8
            self.pt_x = max(width - left - right, 1.0) / span_x
            self.pt_y = max(height - top - bottom, 1.0) / span_y
        self.xlim = (min(xs) - left / self.pt_x, max(xs) + right / self.pt_x)
        self.ylim = (min(ys) - bottom / self.pt_y, max(ys) + top / self.pt_y)

    def _label_size(self, edge) -> tuple:
        """Estimated width and height, in points, of an edge label with its value."""
        height = self.small * (1.9 if self.namer.notation == "layered" else 1.5)
        extra = 1 if self.sparse else 8   # " = 0.4567" follows the name unless the diagram is sparse
        return self.small * 0.56 * (len(self.namer.text(edge_parameter(self.network, edge))) + extra), height

    # -- label placement -----------------------------------------------------------------
    def _label_positions(self) -> tuple:
        """Where along each labelled edge its label sits (0 at the source), and which layers are dense.

        Greedy: each label takes the spot that overlaps least with nodes, value texts and the
        labels placed before it, and keeps clear of the other edges of its layer pair (so it is
        not read as the label of an edge crossing its own). A layer pair with more than
        DENSE_EDGES edges, or whose labels cannot avoid piling up, is dense: its labels sit
        mid-edge and show only when highlighted.
        """
        placed = [self._box(self.positions[n], 2 * self.radius(n), 2 * self.radius(n)) for n in self.nodes]
        placed += [self._value_box(n) for n in self.nodes if not self.dense_layer(n) and not self.sparse]
        positions, dense = {}, {}
        for layer in range(1, self.network.depth + 1):
            edges = [e for e in self.edges if self.labelled(e) and e[1][0] == layer]
            trial, chosen, worst = list(placed), {}, 0.0
            crowded = self.network.layers[layer - 1] * self.network.layers[layer] > DENSE_EDGES
            for edge in [] if crowded else edges:
                chosen[edge], box, overlap = self._place(edge, trial)
                worst = max(worst, overlap / ((box[2] - box[0]) * (box[3] - box[1])))
                trial.append(box)
            dense[layer] = bool(crowded or worst > 0.2)
            if dense[layer]:
                positions.update({e: 0.5 for e in edges})
            else:
                positions.update(chosen)
                placed = trial
        return positions, dense

    def _place(self, edge, placed) -> tuple:
        """The best spot t for one label, its box, and how much that box overlaps others."""
        width, height = self._label_size(edge)
        layer = edge[1][0]
        others = [(self._to_pt(self.positions[a]), self._to_pt(self.positions[b]))
                  for a, b in self.edges if b != ERROR_NODE and b[0] == layer and (a, b) != edge]

        def overlap(t):
            box = self._box(self.along(edge, t), width, height)
            return sum(_overlap(box, other) for other in placed)

        def cost(t):
            centre = self._to_pt(self.along(edge, t))
            near = sum(max(0.0, height - _distance(centre, a, b)) for a, b in others)
            return overlap(t) + width * near + 2.0 * abs(t - 0.35)

        best = min((0.2 + 0.05 * i for i in range(13)), key=cost)
        return best, self._box(self.along(edge, best), width, height), overlap(best)

    def _to_pt(self, xy):
        return xy[0] * self.pt_x, xy[1] * self.pt_y

    def _box(self, xy, width, height, dy=0.0):
        """A box of ``width`` x ``height`` points centred on ``xy`` (shifted by ``dy`` points)."""
        x, y = self._to_pt(xy)
        y += dy
        return (x - width / 2, y - height / 2, x + width / 2, y + height / 2)

    def _value_box(self, node):
        """The box the values under a node take, at most."""
        neuron = self.kind(node) in ("hidden", "output")
        lines = {"stacked": 4, "columns": 2, "line": 1}[self.value_mode] if neuron else 1
        width = self.small * ((14 if self.value_mode == "columns" else 6.5) if neuron else 4)
        height = lines * self.small * 1.3
        return self._box(self.positions[node], width, height, dy=-self.radius(node) - height / 2)


def _positions(network: Network, show_error: bool) -> dict:
    """Node -> (x, y): layer l at x = l, its neurons centred on y = 0; bias units below."""
    sizes, L = network.layers, network.depth
    top = (max(sizes) - 1) / 2
    pos = {(l, j): (float(l), (n - 1) / 2 - j) for l, n in enumerate(sizes) for j in range(n)}
    if network.parameters.has_bias:
        for l in range(1, L + 1):
            pos[("bias", l)] = (l - 0.6, -top - 1.0)
    if show_error:
        pos[ERROR_NODE] = (L + 0.72, 0.0)
    return pos


def _edges(network: Network, show_error: bool) -> list:
    """Every edge: weights, then bias edges, layer by layer; then outputs into the error."""
    edges = []
    for l in range(1, network.depth + 1):
        edges += [((l - 1, k), (l, j)) for j in range(network.layers[l]) for k in range(network.layers[l - 1])]
        if network.parameters.has_bias:
            edges += [(("bias", l), (l, j)) for j in range(network.layers[l])]
    if show_error:
        edges += [((network.depth, j), ERROR_NODE) for j in range(network.layers[-1])]
    return edges


def _overlap(a, b) -> float:
    """The area two boxes share."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _distance(p, a, b) -> float:
    """Distance from point p to the segment a-b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else min(1.0, max(0.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)
