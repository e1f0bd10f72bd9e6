"""The network diagram: drawn once on a Matplotlib Axes, then restyled in place for each step.

Nodes are ``(layer, j)`` (layer 0 the inputs), ``("bias", layer)`` for the bias unit feeding a
layer, and ``("E",)`` for the error; an edge is ``(from_node, to_node)``, as in walkthrough.py.
Nothing here computes mathematics: weights and values come from the engine and the walkthrough;
what a step touches comes from teaching/touches.py, where things go from layout.py, and the
words for screen readers from describe.py.
"""

from __future__ import annotations

from matplotlib.lines import Line2D

from ..core.quantities import (
    Bias,
    Delta,
    Net,
    Out,
    Target,
    TotalError,
    Updated,
    as_quantity,
    gradient,
    is_parameter,
    renamed,
)
from ..core.spec import Network
from ..teaching.notation import Namer
from ..teaching.touches import ERROR_NODE, edge_parameter, step_focus, step_highlights
from .describe import describe_diagram
from .diagram_ids import element_id
from .layout import DiagramLayout
from .palette import (
    FADED_ALPHA,
    FADED_INK,
    FILLS,
    HIGHLIGHT,
    HIGHLIGHT_FILL,
    INK,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    figure_number,
)

__all__ = ["NetworkDiagram"]

DENSE_STRONG_LABELS = 8  # a dense layer pair labels its highlighted edges while there are no more than this
SEPARATOR = "   "        # between two values written on one line


def _math(tex: str) -> str:
    """A LaTeX name as Matplotlib mathtext."""
    return "$" + tex.replace(r"\left", "").replace(r"\right", "") + "$"


class NetworkDiagram:
    """A network drawn once on ``ax``; :meth:`update` restyles the same artists in place.

    ``node_artists``, ``node_labels``, ``value_labels`` (node -> artist), ``edge_artists``
    (edge -> Line2D, weight, bias and error edges) and ``edge_labels`` (weight and per-neuron
    bias edges -> Text) are the only artists it ever adds, besides the legend. Each weight, bias
    and neuron artist carries an id naming it (diagram_ids.py), written into an SVG as ``<g id>``.
    ``min_font`` (points) raises every text to at least that size (labels as large as the page's
    text); ``sparse`` writes names only, no values (a projector's diagram; by default, whenever
    there is a ``min_font``).
    """

    def __init__(self, ax, network: Network, namer: Namer, *, show_error: bool = True, legend: bool = True,
                 min_font: float = 0.0, sparse: bool | None = None):
        self.ax, self.figure = ax, ax.figure
        self.network, self.namer, self.show_error = network, namer, show_error
        box = ax.get_window_extent()   # sizes are fixed in points, from the size of the Axes now
        self.layout = DiagramLayout(network, namer, show_error,
                                    (box.width * 72.0 / self.figure.dpi, box.height * 72.0 / self.figure.dpi),
                                    min_font=min_font, sparse=sparse)
        self.nodes, self.edges = self.layout.nodes, self.layout.edges
        self._weights, self._values = {}, {}
        self._highlight_nodes, self._highlight_edges = frozenset(), frozenset()
        self._show_weight_values, self._focus, self._legend_highlight = True, None, ()
        ax.set_xlim(*self.layout.xlim)
        ax.set_ylim(*self.layout.ylim)
        ax.set_axis_off()
        self.edge_artists = {e: self._draw_edge(e) for e in self.edges}
        self.node_artists = {n: self._draw_node(n) for n in self.nodes}
        self.node_labels = {n: self._draw_node_label(n) for n in self.nodes}
        self.value_labels = {n: self._draw_value_label(n) for n in self.nodes}
        self.edge_labels = {e: self._draw_edge_label(e, t) for e, t in self.layout.label_t.items()}
        self._tag()
        if legend and not self.layout.sparse:   # a sparse diagram has no room for it; the text alternative says it
            self._legend()
        self._restyle()

    # -- drawing (once) ------------------------------------------------------------------
    def _draw_edge(self, edge):
        (x0, y0), (x1, y1) = self.layout.positions[edge[0]], self.layout.positions[edge[1]]
        line = Line2D([x0, x1], [y0, y1], color=NEUTRAL, lw=1.0, zorder=1, solid_capstyle="round")
        self.ax.add_line(line)
        return line

    def _draw_node(self, node):
        x, y = self.layout.positions[node]
        square = node[0] == "bias"
        line = Line2D([x], [y], marker="s" if square else "o", linestyle="none", zorder=3,
                      markersize=2 * self.layout.radius(node) * (0.88 if square else 1.0))
        self.ax.add_line(line)
        return line

    def _node_tex(self, node) -> str:
        net, namer = self.network, self.namer
        if node == ERROR_NODE:
            return namer.tex(TotalError())
        if node[0] == "bias":
            return namer.tex(Bias(node[1])) if net.parameters.shared else "+1"
        layer, j = node
        if namer.notation == "layered" or layer == 0:
            return namer.tex(Out(layer, j))
        return namer.neuron_tex(layer, j)             # h_{1}, o_{2}, or h^{(2)}_{1} in deeper nets

    def _draw_node_label(self, node):
        x, y = self.layout.positions[node]
        tex = self._node_tex(node)
        return self.ax.text(x, y, tex if tex == "+1" else _math(tex), ha="center", va="center",
                            fontsize=self.layout.font, color=INK, zorder=4)

    def _draw_value_label(self, node):
        return self.ax.annotate("", self.layout.positions[node], xytext=(0, -self.layout.radius(node) - 2),
                                textcoords="offset points", ha="center", va="top", fontsize=self.layout.small,
                                color=INK, zorder=5, linespacing=1.3,
                                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))

    def _draw_edge_label(self, edge, t):
        return self.ax.text(*self.layout.along(edge, t), "", ha="center", va="center", fontsize=self.layout.small,
                            color=INK, zorder=2.5, linespacing=1.5,
                            bbox=dict(boxstyle="round,pad=0.18", fc="white", ec="none", alpha=0.9))

    def _tag(self):
        """Name each clickable artist by what it draws (SVG ``<g id>``): weights, biases, neurons."""
        for edge, line in self.edge_artists.items():
            param = edge_parameter(self.network, edge)
            # A shared bias has one edge per neuron: each needs its own id.
            part = f"edge{edge[1][1]}" if isinstance(param, Bias) and param.shared else ""
            line.set_gid(element_id(param, part))
        for edge, text in self.edge_labels.items():
            text.set_gid(element_id(edge_parameter(self.network, edge), "label"))
        for node in self.nodes:
            if node == ERROR_NODE:
                continue
            if node[0] == "bias":
                item = Bias(node[1]) if self.network.parameters.shared else None
            else:
                item = node if node[0] > 0 else None   # an input has no step of its own to open
            for artist, part in ((self.node_artists[node], ""), (self.node_labels[node], "label"),
                                 (self.value_labels[node], "value")):
                artist.set_gid(element_id(item, part) if item is not None else None)

    def _legend(self):
        handles = [Line2D([], [], color=POSITIVE, lw=2.5, ls="-"),
                   Line2D([], [], color=NEGATIVE, lw=2.5, ls="--"),
                   Line2D([], [], color=HIGHLIGHT, lw=4.0, ls="-")]
        legend = self.ax.legend(handles, ["positive weight", "negative weight", "highlighted"], loc="lower right",
                                bbox_to_anchor=(1.0, 0.0), frameon=False, fontsize=self.layout.small,
                                handlelength=2.6)
        self._legend_highlight = (legend.legend_handles[2], legend.texts[2])

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
            # Keys as shown: the engine's ∂E/∂net and the walkthrough's δ are the same delta.
            self._values = {renamed(as_quantity(k)): v for k, v in values.items()}
            self._weights.update({k: float(v) for k, v in self._values.items() if is_parameter(k)})
        self._weights.update(self.network.parameters.named(weights, biases))
        self._highlight_nodes = frozenset(highlight_nodes)
        self._highlight_edges = frozenset(highlight_edges)
        self._show_weight_values = bool(show_weight_values)
        self._focus = focus
        self._restyle()

    def highlight_step(self, step, values=None, **kwargs):
        """Highlight what a walkthrough step touches (see :func:`step_highlights`), in place."""
        nodes, edges = step_highlights(step, self.network, self.show_error)
        kwargs.setdefault("focus", step_focus(step))
        self.update(values=values, highlight_nodes=nodes, highlight_edges=edges, **kwargs)

    @property
    def highlighting(self) -> bool:
        """Whether anything is highlighted (then everything else is faded)."""
        return bool(self._highlight_nodes or self._highlight_edges)

    @property
    def highlighted_nodes(self) -> frozenset:
        """The nodes highlighted now."""
        return self._highlight_nodes

    @property
    def highlighted_edges(self) -> frozenset:
        """The edges highlighted now."""
        return self._highlight_edges

    @property
    def weights(self) -> dict:
        """Parameter key -> the value drawn on its edge (read only)."""
        return self._weights

    @property
    def values(self) -> dict:
        """Quantity key -> the value shown (read only); ∂E/∂net is under its delta key."""
        return self._values

    def _state(self, item, highlighted) -> str:
        if item in highlighted:
            return "strong"
        return "faded" if self.highlighting else "normal"

    def _restyle(self):
        for artist in self._legend_highlight:
            artist.set_visible(self.highlighting)
        dense = self.layout.dense
        for edge, line in self.edge_artists.items():
            self._style_edge(edge, line, self._state(edge, self._highlight_edges),
                             edge[1] != ERROR_NODE and dense[edge[1][0]])
        for node in self.nodes:
            self._style_node(node, self._state(node, self._highlight_nodes))
        strong_labels = {l: 0 for l in dense}
        for edge in self._highlight_edges & set(self.edge_labels):
            strong_labels[edge[1][0]] += 1
        for edge, text in self.edge_labels.items():
            state, layer = self._state(edge, self._highlight_edges), edge[1][0]
            text.set_text(self._edge_text(edge, state == "strong"))
            long = "\n" in text.get_text()   # a gradient line: give it the roomier middle of the edge
            text.set_position(self.layout.along(edge, 0.5 if long else self.layout.label_t[edge]))
            shown = not dense[layer] or (state == "strong" and (
                strong_labels[layer] <= DENSE_STRONG_LABELS
                or edge_parameter(self.network, edge) == self._focus))
            text.set_visible(shown)
            text.set_color(FADED_INK if state == "faded" else INK)
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
        kind = self.layout.kind(node)
        marker.set(markerfacecolor=HIGHLIGHT_FILL if strong else FILLS[kind],
                   markeredgecolor=HIGHLIGHT if strong else INK, markeredgewidth=3.5 if strong else 1.3,
                   alpha=max(alpha, 0.45))
        label.set_color(FADED_INK if state == "faded" else INK)
        groups = self.value_groups(node, strong)
        mode = self.layout.value_mode if kind in ("hidden", "output") else "stacked"
        if mode == "stacked":
            lines = [item for group in groups for item in group]
        elif mode == "columns":
            lines = [SEPARATOR.join(group) for group in groups]
        else:
            lines = [SEPARATOR.join(item for group in groups for item in group)]
        value.set_text("\n".join(line for line in lines if line))
        crowded = mode == "line" or self.layout.dense_layer(node)
        value.set_visible(bool(value.get_text()) and (strong or not crowded) and not self.layout.sparse)
        value.set_color(FADED_INK if state == "faded" else INK)

    # -- text --------------------------------------------------------------------------
    def value_groups(self, node, strong: bool = False) -> list:
        """The values written under a node, in groups that may share a line."""
        v = self._values
        if node == ERROR_NODE:
            return [[f"= {figure_number(v[TotalError()])}"]] if TotalError() in v else []
        if node[0] == "bias":
            param = Bias(node[1])
            if not self.network.parameters.shared or param not in self._weights:
                return []
            shown = [[f"= {figure_number(self._weights[param])}"]] if self._show_weight_values else []
            return shown + [[line] for line in self._gradient_lines(param, strong)]
        layer, j = node
        if layer == 0:
            return [[f"= {figure_number(v[Out(0, j)])}"]] if Out(0, j) in v else []
        net, out, target = ("net", "out", "target") if self.namer.notation == "mazur" else ("z", "a", "y")
        first = [f"{name} {figure_number(v[key])}" for name, key in ((net, Net(layer, j)), (out, Out(layer, j)))
                 if key in v]
        delta = v.get(Delta(layer, j))
        second = [f"δ {figure_number(delta)}"] if delta is not None else []
        if layer == self.network.depth and Target(j) in v:
            second.append(f"{target} {figure_number(v[Target(j)])}")
        return [group for group in (first, second) if group]

    def _gradient_lines(self, param, strong) -> list:
        if not strong or (self._focus is not None and param != self._focus):
            return []
        lines = []
        value = self._values.get(gradient(param))
        if value is not None:
            lines.append(_math(rf"\partial {self.namer.tex(TotalError())}/\partial {self.namer.tex(param)}")
                         + f" = {figure_number(value)}")
        if Updated(param) in self._values:
            lines.append(f"new {figure_number(self._values[Updated(param)])}")
        return lines

    def _edge_text(self, edge, strong) -> str:
        param = edge_parameter(self.network, edge)
        name = _math(self.namer.tex(param))
        if self.layout.sparse:
            return name      # large type, names only: the step's text gives the numbers
        if self._show_weight_values and param in self._weights:
            name += f" = {figure_number(self._weights[param])}"
        return "\n".join([name] + self._gradient_lines(param, strong))

    def text_alternative(self) -> str:
        """One paragraph of plain text saying what the diagram shows now (for screen readers)."""
        return describe_diagram(self)
