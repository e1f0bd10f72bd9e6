"""The network diagram as SVG in the page: crisp at any size, fills its column, answers clicks.

The drawing is the one :class:`~backprop_tutor.views.diagram.NetworkDiagram` on a Matplotlib
Figure, exported as SVG (text kept as text, so labels stay real type) into a small anywidget
(svg_diagram.js). Its weights, biases and neurons are ``<g id="bt-...">`` (diagram_ids.py); a
click or Enter on one sends the id back, and :meth:`SvgFigure.on_click` hands the view the
parameter key or neuron it names, never anything else.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import anywidget
import ipywidgets as w
import matplotlib
import traitlets as t
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.textpath import TextToPath

from ...core.quantities import Out
from ..diagram_ids import element_id, element_target
from .access import ACCESS_STYLE
from .base import FigureCanvasHolder, projector_mode

__all__ = ["COLUMN", "LABEL_FRACTION", "PROJECTOR_LABEL_FRACTION", "SCRIPT", "STYLE", "DiagramWidget", "SvgFigure",
           "figure_svg"]

_HERE = Path(__file__).resolve().parent
#: The widget's script and style sheet, files beside this module (pyproject's package-data ships them).
SCRIPT, STYLE = _HERE / "svg_diagram.js", _HERE / "svg_diagram.css"
# On a projector every label is at least this fraction of the diagram's width: 26 px, the
# projector template's body text, once the diagram is 650 px wide (its column on a 1280 px screen is wider).
PROJECTOR_LABEL_FRACTION = 1 / 25
# Off the projector every label is at least this fraction of the width: 14 px, JupyterLab's and
# Voilà's body text, once the diagram is 672 px wide (in Voilà at 1400 px it is about 710 px).
LABEL_FRACTION = 1 / 48
#: The percentage of a view's width its diagram column takes: on a projector, more (its labels grow with it).
COLUMN = {False: 52, True: 58}
# Labels as <text> (their size can be read and they stay type).
_SVG_RC = {"svg.fonttype": "none"}
# One mathtext parser for every export: Matplotlib's SVG renderer makes a new one per file, and
# its parse cache is per parser, so every redraw would parse each label again (~20 ms a label).
_TEXT_TO_PATH = TextToPath()


class DiagramWidget(anywidget.AnyWidget):
    """Inline SVG with clickable parts: ``svg`` in, ``clicked`` (an id) and ``clicks`` (a count) out."""

    # Text, not paths: anywidget watches a path and its watcher keeps every widget alive (a leak per re-run).
    _esm = SCRIPT.read_text(encoding="utf-8")
    # With the page's accessibility style (the focus ring, .bt-sr-only for the hidden description).
    _css = STYLE.read_text(encoding="utf-8") + ACCESS_STYLE.read_text(encoding="utf-8")
    svg = t.Unicode("").tag(sync=True)
    description = t.Unicode("").tag(sync=True)      # the text alternative
    described = t.Bool(False).tag(sync=True)        # Describe pressed: the text alternative is shown
    label = t.Unicode("Network diagram").tag(sync=True)
    action = t.Unicode("show it").tag(sync=True)    # what a click does, for screen readers
    names = t.Dict().tag(sync=True)                 # id -> plain name ("bt-w-2-0-0" -> "w5")
    clicked = t.Unicode("").tag(sync=True)
    clicks = t.Int(0).tag(sync=True)                # bumped on every click: the same part twice is two clicks


class SvgFigure(FigureCanvasHolder):
    """A figure shown as SVG in a :class:`DiagramWidget`, with a **Describe** toggle for its text alternative.

    Every label is at least :data:`LABEL_FRACTION` of the figure's width (``min_font``, in
    points), as large as the page's text at the size the diagram is shown. On a projector
    (``present --projector``) that is :data:`PROJECTOR_LABEL_FRACTION`, the diagram writes names
    only and takes the wider ``column`` of its view.
    """

    def __init__(self, width: float, height: float, alt: str = "", action: str = "show it"):
        super().__init__(width, height)
        self.canvas = FigureCanvasSVG(self.figure)
        self.projector = projector_mode()
        self.min_font = 72.0 * width * (PROJECTOR_LABEL_FRACTION if self.projector else LABEL_FRACTION)
        self.widget = DiagramWidget(action=action, layout=w.Layout(width="100%"))
        t.link((self.describe, "value"), (self.widget, "described"))
        self.box = w.VBox([w.HBox([self.describe], layout=w.Layout(justify_content="flex-end")), self.widget])
        self.box.add_class("bt-diagram")
        self.column = COLUMN[self.projector]
        self._handlers = []
        self._network = None
        self.widget.observe(self._on_clicks, "clicks")
        self.set_alt(alt)

    @property
    def svg(self) -> str:
        """The SVG shown now."""
        return self.widget.svg

    def set_alt(self, text: str) -> None:
        """The text alternative: read by screen readers, shown while Describe is pressed."""
        self.alt = text
        self.widget.description = text

    def follow_network(self, network, namer) -> None:
        """The network whose ids clicks are read against, and the plain name of each clickable part."""
        self._network = network
        names = {element_id(p): namer.text(p) for p in network.parameters.keys}
        for layer in range(1, network.depth + 1):
            for j in range(network.layers[layer]):
                names[element_id((layer, j))] = namer.neuron(layer, j) if namer.notation == "mazur" \
                    else namer.text(Out(layer, j))
        self.widget.names = names

    def refresh(self) -> None:
        """Export the figure as SVG into the widget (one SVG draw)."""
        text = figure_svg(self.figure)
        self._laid_out()
        self.widget.svg = text[text.find("<svg"):]   # no XML prolog or DOCTYPE inside HTML

    def on_click(self, handler) -> None:
        """Call ``handler(target)`` on every click: a parameter key or a neuron node ``(layer, j)``."""
        self._handlers.append(handler)

    def click(self, element: str) -> None:
        """Act as if the part with id ``element`` was clicked (what the browser does)."""
        self.widget.clicked = element
        self.widget.clicks += 1

    def _on_clicks(self, change):
        target = element_target(self.widget.clicked, self._network) if self._network is not None else None
        if target is not None:
            for handler in self._handlers:
                handler(target)


def figure_svg(figure) -> str:
    """The figure as an SVG document, its text as ``<text>``: what ``print_svg`` writes, with the shared parser."""
    buffer, dpi = StringIO(), figure.dpi
    with matplotlib.rc_context(_SVG_RC):
        figure.dpi = 72   # SVG user units are points
        try:
            width, height = figure.get_size_inches()
            svg = RendererSVG(width * 72, height * 72, buffer, image_dpi=dpi, metadata={"Date": None})
            svg._text2path = _TEXT_TO_PATH
            renderer = MixedModeRenderer(figure, width, height, dpi, svg)
            figure.draw(renderer)
            renderer.finalize()
        finally:
            figure.dpi = dpi
    return buffer.getvalue()
