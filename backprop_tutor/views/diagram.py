"""The network diagram: drawn once on a Matplotlib Axes, then restyled in place for each step.

Nodes are ``(layer, j)`` (layer 0 the inputs), ``("bias", layer)`` for the bias unit feeding a
layer, and ``("E",)`` for the error; an edge is ``(from_node, to_node)``, as in walkthrough.py.
Nothing here computes mathematics: weights and values come from the engine and the walkthrough.
Sizes are fixed in points when the diagram is built, from the size of its Axes.
"""

from __future__ import annotations

import math
import re

from matplotlib.lines import Line2D

from ..teaching.formatting import fmt
from ..teaching.notation import Namer
from ..core.spec import Network

__all__ = [
    "HIGHLIGHT",
    "NEGATIVE",
    "POSITIVE",
    "NetworkDiagram",
    "edge_parameter",
    "known_values",
    "step_highlights",
    "text_alternative",
]

# Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
POSITIVE = "#0072B2"     # blue, solid line
NEGATIVE = "#D55E00"     # vermillion, dashed line
HIGHLIGHT = "#E69F00"    # orange, thick
NEUTRAL = "#6E6E6E"      # edges into the error node, and weights not known yet
INK = "#222222"
FILLS = {"input": "#D6E8F5", "hidden": "#DDF0E6", "output": "#F3DDEA", "bias": "#EBEBEB", "error": "#FFFFFF"}
HIGHLIGHT_FILL = "#FFE0A3"
FADED_ALPHA = 0.28
DENSE_EDGES = 16         # a layer pair with more edges than this labels only highlighted edges ...
DENSE_STRONG_LABELS = 8  # ... as long as no more than this many of its edges are highlighted
DENSE_LAYER = 6          # a layer with more neurons than this shows values only when highlighted
SEPARATOR = "   "        # between two values written on one line


def _num(value) -> str:
    """A value as a figure prints it: four significant digits."""
    return fmt(value, 4)


def _math(tex: str) -> str:
    """A LaTeX name as Matplotlib mathtext."""
    return "$" + tex.replace(r"\left", "").replace(r"\right", "") + "$"


def edge_parameter(network: Network, edge: tuple):
    """The parameter key a weight or bias edge draws (None for an edge into the error node)."""
    a, b = edge
    if b == ("E",):
        return None
    if a[0] == "bias":
        return ("b", b[0]) if network.bias == "shared" else ("b", b[0], b[1])
    return ("w", b[0], b[1], a[1])


def _is_about_error(key) -> bool:
    return key is not None and (key[0] in ("Eo", "E", "E_after", "delta") or key[:2] == ("d", ("E",)))


def step_highlights(step, network: Network, show_error: bool = True) -> tuple:
    """The (nodes, edges) a diagram highlights for a walkthrough step.

    These are the step's own ``nodes`` and ``edges``; a step about the error (a gradient, a
    delta, an error term) that touches output neurons also lights the error node and the
    edges from those outputs to it.
    """
    nodes, edges = list(step.nodes), list(step.edges)
    if show_error and _is_about_error(step.key):
        L = network.depth
        outputs = [(L, step.key[1])] if step.key[0] == "Eo" else [n for n in nodes if n[0] == L]
        if outputs:
            nodes.append(("E",))
            edges += [(o, ("E",)) for o in outputs]
    return tuple(nodes), tuple(edges)


def _step_focus(step):
    """The parameter whose gradient or new value a step computes, else ``()`` (none)."""
    key = step.key or ()
    if key[:2] == ("d", ("E",)) and key[2][0] in ("w", "b"):
        return key[2]
    return key[1] if key[:1] == ("new",) else ()


def known_values(walk, index: int) -> dict:
    """Values known at a walkthrough step: inputs, targets, parameters, and every step so far."""
    values = {k: v for k, v in walk.values.values.items()
              if k[0] in ("t", "w", "b") or (k[0] == "a" and k[1] == 0)}
    values.update(walk.values_so_far(index))
    return values


def _layout(network: Network, show_error: bool) -> dict:
    sizes, L = network.layers, network.depth
    top = (max(sizes) - 1) / 2
    pos = {(l, j): (float(l), (n - 1) / 2 - j) for l, n in enumerate(sizes) for j in range(n)}
    if network.bias != "none":
        for l in range(1, L + 1):
            pos[("bias", l)] = (l - 0.6, -top - 1.0)
    if show_error:
        pos[("E",)] = (L + 0.72, 0.0)
    return pos


class NetworkDiagram:
    """A network drawn once on ``ax``; :meth:`update` restyles the same artists in place.

    ``node_artists``, ``node_labels``, ``value_labels`` (node -> artist), ``edge_artists``
    (edge -> Line2D, weight, bias and error edges) and ``edge_labels`` (weight and per-neuron
    bias edges -> Text) are the only artists it ever adds, besides the legend.
    """

    def __init__(self, ax, network: Network, namer: Namer, *, show_error: bool = True, legend: bool = True):
        self.ax, self.figure = ax, ax.figure
        self.network, self.namer, self.show_error = network, namer, show_error
        self.positions = _layout(network, show_error)
        self.nodes = list(self.positions)
        self.edges = self._edge_list()
        self._weights, self._values = {}, {}
        self._highlight_nodes, self._highlight_edges = frozenset(), frozenset()
        self._show_weight_values, self._focus, self._legend_highlight = True, None, ()
        self._scale()
        self.edge_artists = {e: self._draw_edge(e) for e in self.edges}
        self.node_artists = {n: self._draw_node(n) for n in self.nodes}
        self.node_labels = {n: self._draw_node_label(n) for n in self.nodes}
        self.value_labels = {n: self._draw_value_label(n) for n in self.nodes}
        self._label_t = self._label_positions()
        self.edge_labels = {e: self._draw_edge_label(e, t) for e, t in self._label_t.items()}
        if legend:
            self._legend()
        self._restyle()

    # -- structure ---------------------------------------------------------------------
    def _edge_list(self) -> list:
        net, edges = self.network, []
        for l in range(1, net.depth + 1):
            edges += [((l - 1, k), (l, j)) for j in range(net.layers[l]) for k in range(net.layers[l - 1])]
            if net.bias != "none":
                edges += [(("bias", l), (l, j)) for j in range(net.layers[l])]
        if self.show_error:
            edges += [((net.depth, j), ("E",)) for j in range(net.layers[-1])]
        return edges

    def _kind(self, node) -> str:
        if node == ("E",):
            return "error"
        if node[0] == "bias":
            return "bias"
        return "input" if node[0] == 0 else "output" if node[0] == self.network.depth else "hidden"

    def _labelled(self, edge) -> bool:
        return edge[1] != ("E",) and not (edge[0][0] == "bias" and self.network.bias == "shared")

    def _dense_layer(self, node) -> bool:
        return node[0] != "bias" and node != ("E",) and self.network.layers[node[0]] > DENSE_LAYER

    # -- sizes -------------------------------------------------------------------------
    def _scale(self):
        """Node size, fonts and axis limits, so that nodes and their texts fit the Axes."""
        xs = [p[0] for p in self.positions.values()]
        ys = [p[1] for p in self.positions.values()]
        box = self.ax.get_window_extent()
        width, height = (max(v * 72.0 / self.figure.dpi, 1.0) for v in (box.width, box.height))
        span_x, span_y = max(xs) - min(xs), max(ys) - min(ys) or 1.0
        self.pt_x, self.pt_y = width / (span_x + 0.64), height / (span_y + 1.0)
        for _ in range(3):  # sizes depend on the scale, and the margins on the sizes
            d = self.diameter = min(max(0.36 * min(self.pt_y, 0.5 * self.pt_x), 12.0), 42.0)
            self.font = min(max(0.4 * d, 7.0), 16.0)
            s = self.small = min(max(0.29 * d, 6.5), 11.5)
            if d + 4 * 1.3 * s + 6 <= self.pt_y:
                self.value_mode = "stacked"     # one value per line
            elif d + 2 * 1.3 * s + 4 <= self.pt_y:
                self.value_mode = "columns"     # two values per line
            else:
                self.value_mode = "line"        # one line, highlighted neurons only
            left = max(0.5 * d, 2.5 * s) + 6
            right = (0.75 * d if self.show_error else max(0.5 * d, 7 * s)) + 10
            lines = 2 if self.network.bias != "none" else {"stacked": 4, "columns": 2, "line": 1}[self.value_mode]
            top, bottom = 0.75 * d + 4, 0.5 * d + lines * 1.3 * s + 8
            self.pt_x = max(width - left - right, 1.0) / span_x
            self.pt_y = max(height - top - bottom, 1.0) / span_y
        self.xlim = (min(xs) - left / self.pt_x, max(xs) + right / self.pt_x)
        self.ylim = (min(ys) - bottom / self.pt_y, max(ys) + top / self.pt_y)
        self.ax.set_xlim(*self.xlim)
        self.ax.set_ylim(*self.ylim)
        self.ax.set_axis_off()

    def _label_size(self, edge) -> tuple:
        """Estimated width and height, in points, of an edge label with its value."""
        height = self.small * (1.9 if self.namer.notation == "layered" else 1.5)
        return self.small * 0.56 * (len(self.namer.text(edge_parameter(self.network, edge))) + 8), height

    # -- drawing (once) ------------------------------------------------------------------
    def _draw_edge(self, edge):
        (x0, y0), (x1, y1) = self.positions[edge[0]], self.positions[edge[1]]
        line = Line2D([x0, x1], [y0, y1], color=NEUTRAL, lw=1.0, zorder=1, solid_capstyle="round")
        self.ax.add_line(line)
        return line

    def _radius(self, node) -> float:
        big = node == ("E",) and self.namer.notation == "mazur"   # room for E_total
        return self.diameter * (0.725 if big else 0.5)

    def _draw_node(self, node):
        x, y = self.positions[node]
        square = node[0] == "bias"
        line = Line2D([x], [y], marker="s" if square else "o", linestyle="none", zorder=3,
                      markersize=2 * self._radius(node) * (0.88 if square else 1.0))
        self.ax.add_line(line)
        return line

    def _node_tex(self, node) -> str:
        net, namer = self.network, self.namer
        if node == ("E",):
            return namer.tex(("E",))
        if node[0] == "bias":
            return namer.tex(("b", node[1])) if net.bias == "shared" else "+1"
        layer, j = node
        if namer.notation == "layered" or layer == 0:
            return namer.tex(("a", layer, j))
        name = namer.neuron(layer, j)                 # h1, o1, or h2_1 in deeper nets
        if "_" in name:
            letters, index = name.split("_")
            return f"{letters[0]}^{{({letters[1:]})}}_{{{index}}}"
        match = re.fullmatch(r"([a-z]+)(\d+)", name)
        return f"{match.group(1)}_{{{match.group(2)}}}" if match else name

    def _draw_node_label(self, node):
        x, y = self.positions[node]
        tex = self._node_tex(node)
        return self.ax.text(x, y, tex if tex == "+1" else _math(tex), ha="center", va="center",
                            fontsize=self.font, color=INK, zorder=4)

    def _draw_value_label(self, node):
        return self.ax.annotate("", self.positions[node], xytext=(0, -self._radius(node) - 2),
                                textcoords="offset points", ha="center", va="top", fontsize=self.small,
                                color=INK, zorder=5, linespacing=1.3,
                                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))

    def _draw_edge_label(self, edge, t):
        return self.ax.text(*self._along(edge, t), "", ha="center", va="center", fontsize=self.small, color=INK,
                            zorder=2.5, linespacing=1.5,
                            bbox=dict(boxstyle="round,pad=0.18", fc="white", ec="none", alpha=0.9))

    def _legend(self):
        handles = [Line2D([], [], color=POSITIVE, lw=2.5, ls="-"),
                   Line2D([], [], color=NEGATIVE, lw=2.5, ls="--"),
                   Line2D([], [], color=HIGHLIGHT, lw=4.0, ls="-")]
        legend = self.ax.legend(handles, ["positive weight", "negative weight", "highlighted"], loc="lower right",
                                bbox_to_anchor=(1.0, 0.0), frameon=False, fontsize=self.small, handlelength=2.6)
        self._legend_highlight = (legend.legend_handles[2], legend.texts[2])

    # -- label placement -----------------------------------------------------------------
    def _label_positions(self) -> dict:
        """Where along each labelled edge its label sits (0 at the source); sets ``_dense``.

        Greedy: each label takes the spot that overlaps least with nodes, value texts and the
        labels placed before it, and keeps clear of the other edges of its layer pair (so it is
        not read as the label of an edge crossing its own). A layer pair with more than
        DENSE_EDGES edges, or whose labels cannot avoid piling up, is dense: its labels sit
        mid-edge and show only when highlighted.
        """
        placed = [self._box(self.positions[n], 2 * self._radius(n), 2 * self._radius(n)) for n in self.nodes]
        placed += [self._value_box(n) for n in self.nodes if not self._dense_layer(n)]
        positions, self._dense = {}, {}
        for layer in range(1, self.network.depth + 1):
            edges = [e for e in self.edges if self._labelled(e) and e[1][0] == layer]
            trial, chosen, worst = list(placed), {}, 0.0
            dense = self.network.layers[layer - 1] * self.network.layers[layer] > DENSE_EDGES
            for edge in [] if dense else edges:
                chosen[edge], box, overlap = self._place(edge, trial)
                worst = max(worst, overlap / ((box[2] - box[0]) * (box[3] - box[1])))
                trial.append(box)
            self._dense[layer] = bool(dense or worst > 0.2)
            if self._dense[layer]:
                positions.update({e: 0.5 for e in edges})
            else:
                positions.update(chosen)
                placed = trial
        return positions

    def _place(self, edge, placed) -> tuple:
        """The best spot t for one label, its box, and how much that box overlaps others."""
        width, height = self._label_size(edge)
        layer = edge[1][0]
        others = [(self._to_pt(self.positions[a]), self._to_pt(self.positions[b]))
                  for a, b in self.edges if b != ("E",) and b[0] == layer and (a, b) != edge]

        def overlap(t):
            box = self._box(self._along(edge, t), width, height)
            return sum(_overlap(box, other) for other in placed)

        def cost(t):
            centre = self._to_pt(self._along(edge, t))
            near = sum(max(0.0, height - _distance(centre, a, b)) for a, b in others)
            return overlap(t) + width * near + 2.0 * abs(t - 0.35)

        best = min((0.2 + 0.05 * i for i in range(13)), key=cost)
        return best, self._box(self._along(edge, best), width, height), overlap(best)

    def _to_pt(self, xy):
        return xy[0] * self.pt_x, xy[1] * self.pt_y

    def _along(self, edge, t):
        (x0, y0), (x1, y1) = self.positions[edge[0]], self.positions[edge[1]]
        return x0 + t * (x1 - x0), y0 + t * (y1 - y0)

    def _box(self, xy, width, height, dy=0.0):
        x, y = self._to_pt(xy)
        y += dy
        return (x - width / 2, y - height / 2, x + width / 2, y + height / 2)

    def _value_box(self, node):
        neuron = self._kind(node) in ("hidden", "output")
        lines = {"stacked": 4, "columns": 2, "line": 1}[self.value_mode] if neuron else 1
        width = self.small * ((14 if self.value_mode == "columns" else 6.5) if neuron else 4)
        height = lines * self.small * 1.3
        return self._box(self.positions[node], width, height, dy=-self._radius(node) - height / 2)

    # -- updating (in place) -------------------------------------------------------------
    def update(self, *, weights=None, biases=None, values=None, highlight_nodes=(), highlight_edges=(),
               show_weight_values=True, focus=None):
        """Restyle the diagram in place; ``None`` keeps the weights, biases or values shown before.

        ``values`` maps quantity keys to numbers (``known_values``, ``values_so_far`` or
        ``evaluate_step(...).values``); parameter keys in it count as weights. A highlighted
        parameter's gradient and new value, when known, are written on it; ``focus`` limits
        that to one parameter key, or to none with ``()``.
        """
        if values is not None:
            self._values = dict(values)
            self._weights.update({k: float(v) for k, v in self._values.items() if k[0] in ("w", "b")})
        for l, matrix in enumerate(weights or (), start=1):
            for j, row in enumerate(matrix):
                self._weights.update({("w", l, j, k): float(w) for k, w in enumerate(row)})
        if self.network.bias != "none":
            for l, b in enumerate(biases or (), start=1):
                if self.network.bias == "shared":
                    self._weights[("b", l)] = float(b)
                else:
                    self._weights.update({("b", l, j): float(v) for j, v in enumerate(b)})
        self._highlight_nodes = frozenset(highlight_nodes)
        self._highlight_edges = frozenset(highlight_edges)
        self._show_weight_values = bool(show_weight_values)
        self._focus = focus
        self._restyle()

    def highlight_step(self, step, values=None, **kwargs):
        """Highlight what a walkthrough step touches (see :func:`step_highlights`), in place."""
        nodes, edges = step_highlights(step, self.network, self.show_error)
        kwargs.setdefault("focus", _step_focus(step))
        self.update(values=values, highlight_nodes=nodes, highlight_edges=edges, **kwargs)

    @property
    def highlighting(self) -> bool:
        """Whether anything is highlighted (then everything else is faded)."""
        return bool(self._highlight_nodes or self._highlight_edges)

    def _state(self, item, highlighted) -> str:
        if item in highlighted:
            return "strong"
        return "faded" if self.highlighting else "normal"

    def _restyle(self):
        for artist in self._legend_highlight:
            artist.set_visible(self.highlighting)
        dense = self._dense
        for edge, line in self.edge_artists.items():
            self._style_edge(edge, line, self._state(edge, self._highlight_edges),
                             edge[1] != ("E",) and dense[edge[1][0]])
        for node in self.nodes:
            self._style_node(node, self._state(node, self._highlight_nodes))
        strong_labels = {l: 0 for l in dense}
        for edge in self._highlight_edges & set(self.edge_labels):
            strong_labels[edge[1][0]] += 1
        for edge, text in self.edge_labels.items():
            state, layer = self._state(edge, self._highlight_edges), edge[1][0]
            text.set_text(self._edge_text(edge, state == "strong"))
            long = "\n" in text.get_text()   # a gradient line: give it the roomier middle of the edge
            text.set_position(self._along(edge, 0.5 if long else self._label_t[edge]))
            shown = not dense[layer] or (state == "strong" and (
                strong_labels[layer] <= DENSE_STRONG_LABELS
                or edge_parameter(self.network, edge) == self._focus))
            text.set_visible(shown)
            text.set_alpha(FADED_ALPHA if state == "faded" else 1.0)
            text.set_zorder(2.7 if state == "strong" else 2.5)
            text.get_bbox_patch().set_edgecolor(HIGHLIGHT if state == "strong" else "none")

    def _style_edge(self, edge, line, state, dense):
        param = edge_parameter(self.network, edge)
        w = self._weights.get(param) if param else None
        if w is None:
            color, style, width = NEUTRAL, "-", 1.2
        else:
            color, style = (NEGATIVE, "--") if w < 0 else (POSITIVE, "-")
            width = min(max(4.0 * abs(w), 0.7), 2.2 if dense else 6.0)
        alpha = 0.55 if dense else 0.9
        if state == "strong":
            color, width, alpha = HIGHLIGHT, max(1.3 * width, 2.2 if dense else 3.5), 1.0
        elif state == "faded":
            alpha = 0.12 if dense else 0.2
        line.set(color=color, linestyle=style, linewidth=width, alpha=alpha, zorder=2 if state == "strong" else 1)

    def _style_node(self, node, state):
        marker, label, value = self.node_artists[node], self.node_labels[node], self.value_labels[node]
        strong, alpha = state == "strong", FADED_ALPHA if state == "faded" else 1.0
        marker.set(markerfacecolor=HIGHLIGHT_FILL if strong else FILLS[self._kind(node)],
                   markeredgecolor=HIGHLIGHT if strong else INK, markeredgewidth=3.5 if strong else 1.3,
                   alpha=max(alpha, 0.45))
        label.set_alpha(max(alpha, 0.45))
        groups = self._value_groups(node, strong)
        mode = self.value_mode if self._kind(node) in ("hidden", "output") else "stacked"
        if mode == "stacked":
            lines = [item for group in groups for item in group]
        elif mode == "columns":
            lines = [SEPARATOR.join(group) for group in groups]
        else:
            lines = [SEPARATOR.join(item for group in groups for item in group)]
        value.set_text("\n".join(line for line in lines if line))
        crowded = mode == "line" or self._dense_layer(node)
        value.set_visible(bool(value.get_text()) and (strong or not crowded))
        value.set_alpha(alpha)

    # -- text --------------------------------------------------------------------------
    def _value_groups(self, node, strong) -> list:
        """The values written under a node, in groups that may share a line."""
        v = self._values
        if node == ("E",):
            return [[f"= {_num(v[('E',)])}"]] if ("E",) in v else []
        if node[0] == "bias":
            param = ("b", node[1])
            if self.network.bias != "shared" or param not in self._weights:
                return []
            shown = [[f"= {_num(self._weights[param])}"]] if self._show_weight_values else []
            return shown + [[line] for line in self._gradient_lines(param, strong)]
        layer, j = node
        if layer == 0:
            return [[f"= {_num(v[('a', 0, j)])}"]] if ("a", 0, j) in v else []
        net, out, target = ("net", "out", "target") if self.namer.notation == "mazur" else ("z", "a", "y")
        delta = v.get(("delta", layer, j), v.get(("d", ("E",), ("z", layer, j))))
        first = [f"{name} {_num(v[key])}" for name, key in ((net, ("z", layer, j)), (out, ("a", layer, j)))
                 if key in v]
        second = [f"δ {_num(delta)}"] if delta is not None else []
        if layer == self.network.depth and ("t", j) in v:
            second.append(f"{target} {_num(v[('t', j)])}")
        return [group for group in (first, second) if group]

    def _gradient_lines(self, param, strong) -> list:
        if not strong or (self._focus is not None and param != self._focus):
            return []
        lines = []
        gradient = self._values.get(("d", ("E",), param))
        if gradient is not None:
            lines.append(_math(rf"\partial {self.namer.tex(('E',))}/\partial {self.namer.tex(param)}")
                         + f" = {_num(gradient)}")
        if ("new", param) in self._values:
            lines.append(f"new {_num(self._values[('new', param)])}")
        return lines

    def _edge_text(self, edge, strong) -> str:
        param = edge_parameter(self.network, edge)
        name = _math(self.namer.tex(param))
        if self._show_weight_values and param in self._weights:
            name += f" = {_num(self._weights[param])}"
        return "\n".join([name] + self._gradient_lines(param, strong))

    # -- text alternative ----------------------------------------------------------------
    def _node_text(self, node) -> str:
        return _node_name(node, self.namer)

    def text_alternative(self) -> str:
        """One paragraph of plain text saying what the diagram shows now (for screen readers)."""
        net, namer = self.network, self.namer
        layers = []
        for l, n in enumerate(net.layers):
            role = "inputs" if l == 0 else "outputs" if l == net.depth else "hidden layer"
            layers.append(f"{role} " + ", ".join(self._node_text((l, j)) for j in range(n)))
        parts = [f"Network {'-'.join(map(str, net.layers))} ({', '.join(net.activations)} activations, "
                 f"{net.loss} loss): " + "; ".join(layers)]
        if net.bias == "shared":
            parts.append(f"one bias unit per layer ({', '.join(namer.text(('b', l)) for l in range(1, net.depth + 1))})")
        elif net.bias == "per_neuron":
            parts.append("one bias unit per layer with its own bias on each edge")
        if self.show_error:
            parts.append(f"an error node {namer.text(('E',))} fed by every output")
        text = "; ".join(parts) + ". Positive weights are solid blue lines, negative weights dashed orange-red lines."
        if self.highlighting:
            items = [self._describe_node(n) for n in self.nodes if n in self._highlight_nodes]
            items += [self._describe_edge(e) for e in self.edges if e in self._highlight_edges]
            text += " Highlighted: " + "; ".join(items) + ". Everything else is faded."
        else:
            text += " Nothing is highlighted."
        known = [p for p in dict.fromkeys(edge_parameter(net, e) for e in self.edges) if p in self._weights]
        if 0 < len(known) <= 24:
            text += " Parameters: " + ", ".join(f"{namer.text(p)} = {_num(self._weights[p])}" for p in known) + "."
        elif known:
            values = [self._weights[p] for p in known]
            text += f" {len(known)} parameters from {_num(min(values))} to {_num(max(values))}."
        return text

    def _describe_node(self, node) -> str:
        items = [item.replace("= ", "value ", 1) if item.startswith("= ") else item
                 for group in self._value_groups(node, False) for item in group]
        return self._node_text(node) + (f" ({', '.join(items)})" if items else "")

    def _describe_edge(self, edge) -> str:
        param = edge_parameter(self.network, edge)
        if param is None:
            return _edge_name(edge, None, self.namer)
        details = [f"{label} {_num(source[key])}" for label, source, key in (
            ("value", self._weights, param), ("gradient", self._values, ("d", ("E",), param)),
            ("new value", self._values, ("new", param))) if key in source]
        return _edge_name(edge, self.namer.text(param), self.namer) + (f" ({', '.join(details)})" if details else "")


def _edge_name(edge, param_name, namer) -> str:
    a, b = edge
    if a[0] == "bias":
        return f"bias edge {param_name or ''} into {_node_name(b, namer)}".replace("  ", " ")
    if b == ("E",):
        return f"edge from {_node_name(a, namer)} to the error {_node_name(b, namer)}"
    return f"edge {param_name + ' ' if param_name else ''}from {_node_name(a, namer)} to {_node_name(b, namer)}"


def _node_name(node, namer: Namer | None) -> str:
    """A node's plain name: h1 (Mazur), a1_2 (layered), or a notation-free description."""
    if node == ("E",):
        return namer.text(("E",)) if namer else "the total error"
    if node[0] == "bias":
        if namer and namer.network.bias == "shared":
            return namer.text(("b", node[1]))
        return f"bias unit of layer {node[1]}"
    if namer is None:
        return f"input {node[1] + 1}" if node[0] == 0 else f"neuron {node[1] + 1} of layer {node[0]}"
    return namer.neuron(*node) if namer.notation == "mazur" else namer.text(("a", *node))


def text_alternative(step, namer: Namer | None = None) -> str:
    """One paragraph of plain text saying what a diagram of a walkthrough step shows (for screen readers).

    Given a :class:`NetworkDiagram` instead of a step, describes what that diagram shows now,
    with its values (``diagram.text_alternative()``).
    """
    if isinstance(step, NetworkDiagram):
        return step.text_alternative()
    if namer is not None:
        nodes, edges = step_highlights(step, namer.network)
    else:
        nodes, edges = step.nodes, step.edges
    text = f"{step.title}."
    if step.value is not None:
        text += f" {step.name_text} = {step.value_text}."
    items = [_node_name(n, namer) for n in nodes]
    for a, b in edges:
        param = edge_parameter(namer.network, (a, b)) if namer is not None else None
        items.append(_edge_name((a, b), namer.text(param) if param else None, namer))
    if items:
        return text + " Highlighted on the network diagram: " + "; ".join(items) + ". Everything else is faded."
    return text + " Nothing is highlighted on the network diagram."


def _overlap(a, b) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _distance(p, a, b) -> float:
    """Distance from point p to the segment a-b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else min(1.0, max(0.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)
