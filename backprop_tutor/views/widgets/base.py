"""What every widget view shares: figures shown as images, observer bookkeeping, labelled controls."""

from __future__ import annotations

import html
from io import BytesIO

import ipywidgets as w
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ...teaching.notation import Namer
from ..diagram import NetworkDiagram
from .models import Tutorial, as_tutorial

__all__ = ["DiagramSlot", "FigureImage", "View", "button", "error_label", "math_block", "show_error",
           "tooltip_on_label"]

# Projector-friendly default size; the image scales with the notebook column.
_DPI = 96


class _Image(w.Image):
    """An Image whose tooltip renders in the browser.

    The ImageView of @jupyter-widgets/controls 5 reads the model's ``description`` when it sets
    the tooltip, and an Image has none: a tooltip on a plain Image fails the whole view
    ("Cannot read properties of undefined (reading 'length')") in JupyterLab and Voilà.
    An empty synced ``description`` lets the view put the tooltip on the element as its title.
    """

    description = traitlets.Unicode("").tag(sync=True)


class FigureImage:
    """A matplotlib Figure (never registered with pyplot) shown in an ipywidgets Image.

    The figure and its artists are made once; ``refresh`` re-renders the same figure after
    its artists were updated in place, so no figure or callback accumulates.
    """

    def __init__(self, width: float, height: float, alt: str = ""):
        self.figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self.image = _Image(format="png", layout=w.Layout(width="100%", max_width=f"{int(width * _DPI)}px"))
        self.caption = w.HTML(layout=w.Layout(width="100%"))
        self.caption.add_class("bt-figure-caption")
        self.box = w.VBox([self.image, self.caption])
        self.set_alt(alt)

    def set_alt(self, text: str) -> None:
        """The text alternative: the image's tooltip and a caption under it."""
        self.image.tooltip = text
        self.caption.value = f'<div style="font-size:0.85em;color:#444">{html.escape(text)}</div>' if text else ""

    def refresh(self) -> None:
        """Re-render the figure into the image (one Agg draw, fast PNG compression)."""
        self.canvas.draw()
        if self.figure.get_layout_engine() is not None:
            # Lay out once; later redraws keep the margins (constrained layout costs a second draw).
            self.figure.set_layout_engine("none")
        width, height = self.canvas.get_width_height()
        picture = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = BytesIO()
        picture.convert("RGB").save(buffer, format="png", compress_level=1)
        self.image.value = buffer.getvalue()

    def relayout(self) -> None:
        """Lay the figure out again at the next refresh (after its axes were rebuilt)."""
        self.figure.set_layout_engine("constrained")


class DiagramSlot:
    """The network diagram of a :class:`FigureImage`, rebuilt only when the network or the notation changes.

    With ``axes`` the diagram is drawn into that Axes (cleared first), so other plots in the
    figure stay; without, the whole figure is cleared and the diagram takes one new Axes.
    """

    def __init__(self, picture: FigureImage, axes=None):
        self.picture, self.axes = picture, axes
        self.diagram: NetworkDiagram | None = None
        self._key = None

    def diagram_for(self, network, notation: str) -> NetworkDiagram:
        """The diagram of ``network`` in ``notation``; the same one, restyled in place, while the pair is unchanged."""
        # A new network shape or notation needs new artists; anything else updates them in place.
        key = (network, notation)
        if self.diagram is not None and self._key == key:
            return self.diagram
        if self.axes is None:
            self.picture.figure.clear()
            self.picture.relayout()
            axes = self.picture.figure.add_subplot()
        else:
            self.axes.clear()
            self.picture.relayout()
            axes = self.axes
        self.diagram = NetworkDiagram(axes, network, Namer(network, notation))
        self._key = key
        return self.diagram


def button(label: str, tooltip: str, icon: str = "", style: str = "") -> w.Button:
    """A button with a visible label and a tooltip (screen readers read both)."""
    return w.Button(description=label, tooltip=tooltip, icon=icon, button_style=style,
                    layout=w.Layout(width="auto"))


def tooltip_on_label(*widgets) -> None:
    """Show each widget's tooltip when its visible label is hovered.

    ipywidgets 8 drops the tooltip of a Text, Textarea or Dropdown that has a description (its
    view sets the title only when the description is empty). The label is written as HTML with
    the tooltip on it instead; the label's text, and its link to the field, stay as they were.
    """
    for widget in widgets:
        if isinstance(widget, w.Checkbox) or not (widget.description and widget.tooltip):
            continue  # a Checkbox titles itself with its description
        if not widget.description_allow_html:
            widget.description = (f'<span title="{html.escape(widget.tooltip, quote=True)}">'
                                   f"{html.escape(widget.description)}</span>")
            widget.description_allow_html = True


def math_block(tex: str) -> str:
    """Display-mode LaTeX for an HTMLMath widget."""
    return f"$${tex}$$"


def error_label() -> w.HTML:
    """An empty message area that sits beside a field and shows its error."""
    return w.HTML(value="", layout=w.Layout(min_width="0"))


def show_error(label: w.HTML, message: str) -> None:
    """Show (or clear, with "") a field's one-line error."""
    label.value = (f'<span role="alert" style="color:#b00020">⚠ {html.escape(message)}</span>'
                   if message else "")


class View(w.VBox):
    """A widget that renders a :class:`Tutorial` and detaches cleanly when replaced.

    Subclasses call ``self.follow(obj, handler, names)`` instead of ``obj.observe``; when a
    new view takes the same slot on the same tutorial (a notebook cell run again), the old
    view's observers are removed, so callbacks never stack.
    """

    slot = "view"

    def __init__(self, tutorial, slot: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.tutorial: Tutorial = as_tutorial(tutorial)
        self._followed: list = []
        self._models: list = []
        self.tutorial.attach(slot or self.slot, self)

    def follow(self, obj, handler, names) -> None:
        """Observe ``names`` on ``obj`` until this view is detached."""
        obj.observe(handler, names)
        self._followed.append((obj, handler, names))

    def own(self, model):
        """Keep a model that follows the tutorial; it is detached with this view."""
        self._models.append(model)
        return model

    def detach(self) -> None:
        """Remove every observer this view added, and its models' observers."""
        for obj, handler, names in self._followed:
            obj.unobserve(handler, names)
        self._followed.clear()
        for model in self._models:
            model.detach()
        self._models.clear()
        # A replaced view stays on the page (an earlier output), so say so and stop its controls.
        for widget in _walk(self):
            if widget.has_trait("disabled"):
                widget.disabled = True
        note = w.HTML("<i>This view was replaced by a newer one (its cell was run again); use that one.</i>")
        self.children = (note,) + tuple(self.children)


def _walk(widget):
    """Every widget in a container tree."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
