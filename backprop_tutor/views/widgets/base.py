"""What every widget view shares: figures and their text alternatives, observer bookkeeping, labelled controls."""

from __future__ import annotations

import html
import os
import re
from io import BytesIO

import ipywidgets as w
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ...teaching.notation import Namer
from ..diagram import NetworkDiagram
from .access import Announcer
from .models import Tutorial, as_tutorial

__all__ = ["PROJECTOR_ENV", "DiagramSlot", "FigureCanvasHolder", "FigureImage", "View", "button", "describe_toggle",
           "error_label", "math_block", "owned_widgets", "plain_text", "projector_mode", "show_error", "spoken",
           "text_column", "tooltip_on_label", "wide_block"]

# Projector-friendly default size; the image scales with the notebook column.
_DPI = 96
#: Set (to "1") by ``present --projector`` for the kernel Voilà starts: figures draw larger labels.
PROJECTOR_ENV = "BACKPROP_TUTOR_PROJECTOR"
# Visually hidden, still read by screen readers (display:none would hide it from both).
_SR_ONLY = ("position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
            "clip:rect(0,0,0,0);white-space:nowrap;border:0")


def projector_mode() -> bool:
    """Whether this kernel serves ``present --projector`` (its figures draw larger labels)."""
    return os.environ.get(PROJECTOR_ENV, "") == "1"


def describe_toggle() -> w.ToggleButton:
    """The Describe button: shows a figure's text alternative on screen while pressed."""
    return w.ToggleButton(value=False, description="Describe", icon="comment",
                          tooltip="Show the figure's description in words (what a screen reader reads); "
                                  "press again to hide it",
                          layout=w.Layout(width="auto"))


class _Image(w.Image):
    """An Image whose tooltip renders in the browser.

    The ImageView of @jupyter-widgets/controls 5 reads the model's ``description`` when it sets
    the tooltip, and an Image has none: a tooltip on a plain Image fails the whole view
    ("Cannot read properties of undefined (reading 'length')") in JupyterLab and Voilà.
    An empty synced ``description`` lets the view put the tooltip on the element as its title.
    """

    description = traitlets.Unicode("").tag(sync=True)


class FigureCanvasHolder:
    """A matplotlib Figure (never registered with pyplot) laid out once, then redrawn in place.

    The figure and its artists are made once; subclasses render the same figure again after
    its artists were updated in place, so no figure or callback accumulates.
    """

    def __init__(self, width: float, height: float):
        self.figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
        self.describe = describe_toggle()
        self.alt = ""

    def relayout(self) -> None:
        """Lay the figure out again at the next refresh (after its axes were rebuilt)."""
        self.figure.set_layout_engine("constrained")

    def follow_network(self, network, namer) -> None:
        """Hear of the network (and names) a new diagram here draws; a picture that answers clicks keeps them."""

    def _laid_out(self) -> None:
        # Lay out once; later redraws keep the margins (constrained layout costs a second draw).
        if self.figure.get_layout_engine() is not None:
            self.figure.set_layout_engine("none")


class FigureImage(FigureCanvasHolder):
    """A figure shown as a PNG in an ipywidgets Image, its text alternative hidden until Describe.

    The text alternative is the image's tooltip (screen readers read it as the image's name, and
    the page script copies it to ``alt``); **Describe** shows the same words as a caption under the
    image, and hides them again.
    """

    def __init__(self, width: float, height: float, alt: str = ""):
        super().__init__(width, height)
        self.canvas = FigureCanvasAgg(self.figure)
        self.image = _Image(format="png", layout=w.Layout(width="100%", max_width=f"{int(width * _DPI)}px"))
        self.caption = w.HTML(layout=w.Layout(width="100%", min_height="0", margin="0"))
        self.caption.add_class("bt-figure-caption")
        self.box = w.VBox([w.HBox([self.describe], layout=w.Layout(justify_content="flex-end")), self.image,
                           self.caption])
        self.describe.observe(lambda _: self._show_caption(), "value")
        self.set_alt(alt)

    def set_alt(self, text: str) -> None:
        """The text alternative: the image's tooltip and a caption shown only while Describe is pressed."""
        self.alt = text
        self.image.tooltip = text
        self._show_caption()

    def _show_caption(self) -> None:
        shown = self.describe.value
        style = "font-size:0.85em;color:#444" if shown else _SR_ONLY
        # Hidden, the words are the image's own name (its title, and the alt the page script copies
        # from it): a screen reader would otherwise read them twice.
        hidden = "" if shown else ' aria-hidden="true"'
        self.caption.value = f'<div class="bt-description" style="{style}"{hidden}>{html.escape(self.alt)}</div>' \
            if self.alt else ""
        # Hidden, the caption takes no room: only its clipped 1px text stays, for screen readers.
        self.caption.layout.height = None if shown else "0px"

    def refresh(self) -> None:
        """Re-render the figure into the image (one Agg draw, fast PNG compression)."""
        self.canvas.draw()
        self._laid_out()
        width, height = self.canvas.get_width_height()
        picture = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = BytesIO()
        picture.convert("RGB").save(buffer, format="png", compress_level=1)
        self.image.value = buffer.getvalue()


class DiagramSlot:
    """The network diagram of a figure, rebuilt only when the network or the notation changes.

    With ``axes`` the diagram is drawn into that Axes (cleared first), so other plots in the
    figure stay; without, the whole figure is cleared and the diagram takes one new Axes.
    ``min_font`` (points) is the smallest text the diagram may write (0: its own sizes); a
    ``sparse`` diagram writes names only (None: whenever there is a ``min_font``).
    """

    def __init__(self, picture: FigureCanvasHolder, axes=None, min_font: float = 0.0, sparse: bool | None = None):
        self.picture, self.axes, self.min_font, self.sparse = picture, axes, min_font, sparse
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
        namer = Namer(network, notation)
        self.diagram = NetworkDiagram(axes, network, namer, min_font=self.min_font, sparse=self.sparse)
        self.picture.follow_network(network, namer)
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


def spoken(text: str, css: str) -> str:
    """Text for screen readers only (the maths above it already shows it to the eye)."""
    return f'<p class="{css}" style="{_SR_ONLY}">{html.escape(text)}</p>'


def math_block(tex: str) -> str:
    """Display-mode LaTeX for an HTMLMath widget, in a box of its own.

    A formula wider than its column scrolls sideways inside that box, so the sentences around it
    still wrap at the column's width instead of running under the diagram (or being cut off).
    On a projector the maths is set a little smaller than the body text, which is 1.6x there.
    """
    size = "font-size:0.85em;" if projector_mode() else ""
    return f'<div class="bt-math" style="overflow-x:auto;max-width:100%;{size}">$${tex}$$</div>'


def text_column(widget):
    """Mark an HTML or HTMLMath widget as the text column beside a figure (svg_diagram.css).

    Its content is a flex item that never shrinks below its widest formula or table, so a
    sentence would wrap at that width and run out of sight; the class lets it shrink to the
    column, where sentences wrap and each wide block scrolls on its own.
    """
    widget.add_class("bt-text-column")
    return widget


def wide_block(html_text: str) -> str:
    """A wide piece of HTML (a table) that scrolls sideways on its own, like :func:`math_block`."""
    return f'<div style="overflow-x:auto;max-width:100%">{html_text}</div>'


def plain_text(html_text: str) -> str:
    """HTML as the words a screen reader would say (tags dropped, entities decoded, spaces squashed)."""
    # A block ends a word; an inline tag (<b>) does not: "<b>η = 0.5</b>:" reads "η = 0.5:".
    spaced = re.sub(r"</?(?:p|div|br|li|h\d|tr|td|th)\b[^>]*>", " ", html_text, flags=re.IGNORECASE)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", spaced)).split())


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
        # Made first: the children validator below keeps it as the first child of every layout.
        self.announcer = Announcer()
        super().__init__(**kwargs)
        self.tutorial: Tutorial = as_tutorial(tutorial)
        self._followed: list = []
        self._models: list = []
        self.tutorial.attach(slot or self.slot, self)

    @traitlets.validate("children")
    def _keep_announcer(self, proposal):
        # Every view carries its live region (and the page's accessibility script), whatever its layout.
        children = tuple(proposal["value"])
        announcer = getattr(self, "announcer", None)
        return children if announcer is None or announcer in children else (announcer, *children)

    def announce(self, text: str) -> None:
        """Have screen readers read ``text`` (plain words: what just changed on screen)."""
        self.announcer.text = text

    def follow(self, obj, handler, names) -> None:
        """Observe ``names`` on ``obj`` until this view is detached."""
        obj.observe(handler, names)
        self._followed.append((obj, handler, names))

    def own(self, model):
        """Keep a model that follows the tutorial; it is detached with this view."""
        self._models.append(model)
        return model

    def detach(self) -> None:
        """Remove every observer this view added, and its models'; close its widgets and figures.

        A replaced view stays on the page (an earlier output) as one note saying so; everything
        else it showed is closed (it disappears from the page and its memory is freed).
        """
        for obj, handler, names in self._followed:
            obj.unobserve(handler, names)
        self._followed.clear()
        for model in self._models:
            model.detach()
        self._models.clear()
        note = w.HTML("<i>This view was replaced by a newer one (its cell was run again); use that one.</i>")
        held = [widget for widget in owned_widgets(self) if widget is not self]
        self.announcer = None
        self.children = (note,)
        for widget in held:
            widget.close()
        for picture in _owned(self, FigureCanvasHolder):
            picture.figure.clear()
        self._drop_references()

    def _drop_references(self) -> None:
        """Forget the closed widgets, figures and helpers (the note and the tutorial stay)."""
        for name, value in list(vars(self).items()):
            if name.startswith("_") or name in _KEPT:
                continue
            if isinstance(value, (w.Widget, FigureCanvasHolder, list, dict, tuple)) or _is_view_part(value):
                setattr(self, name, None)

    def close(self) -> None:
        """Close this view and every widget it holds (it disappears from the page)."""
        for widget in owned_widgets(self):
            if widget is not self:
                widget.close()
        super().close()


# Attributes a detached view keeps: its tutorial, and traitlets' own bookkeeping.
_KEPT = {"tutorial"}


def _is_view_part(value) -> bool:
    """Whether ``value`` is a helper object of a view (a panel, a curve), not a model or another view."""
    module = type(value).__module__
    return (module.startswith("backprop_tutor.views") and not isinstance(value, (traitlets.HasTraits, type))
            and not callable(value))


def _owned(obj, kind, seen=None):
    """Every ``kind`` instance reachable from a view through its widgets and helper objects."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, kind):
        yield obj
    if isinstance(obj, (list, tuple)):
        items = obj
    elif isinstance(obj, dict):
        items = obj.values()
    elif isinstance(obj, w.Widget):
        items = [getattr(obj, name, None) for name in obj.keys if not name.startswith("_")] + \
            ([] if isinstance(obj, View) and seen != {id(obj)} else list(vars(obj).values()))
    elif _is_view_part(obj):
        items = vars(obj).values() if hasattr(obj, "__dict__") else ()
    else:
        return
    for item in items:
        if isinstance(item, (w.Widget, list, tuple, dict)) or _is_view_part(item):
            yield from _owned(item, kind, seen)


def owned_widgets(view) -> list:
    """Every widget a view holds: its tree, their layouts and styles, and widgets kept in its attributes."""
    return list(_owned(view, w.Widget))


def _walk(widget):
    """Every widget in a container tree."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
