"""The "See it" figures as widget panels: each a PNG figure with its text alternative, drawn once and updated.

A panel owns one :class:`FigureImage` and one plot; the views (step-through, learning-rate explorer,
training view) put its ``box`` where it belongs and call ``show`` with what changed. The error
curve, the landscape and the decision boundary take their numbers from
:mod:`backprop_tutor.teaching.landscape` and the engine; the activation plot from the registry and
the step's values.
"""

from __future__ import annotations

import html

import ipywidgets as w
import numpy as np

from ...core.quantities import Weight
from ...core.symbolic import derive
from ...teaching.formatting import fmt
from ...teaching.landscape import descent_path, error_curve, error_surface
from ..activation_plot import (
    ActivationPlot,
    activation_sentence,
    neuron_points,
    plotted_activations,
    skipped_sentence,
)
from ..boundary_plot import DecisionBoundaryPlot, boundary_sentence, decision_grid
from ..landscape_plots import ErrorCurvePlot, LandscapePlot, curve_sentence, path_sentence
from ..plots import LayeredCanvas
from .base import FigureImage, projector_mode, tooltip_on_label

__all__ = ["ActivationPanel", "BoundaryPanel", "ErrorCurvePanel", "LandscapePanel", "default_pair",
           "landscape_bounds", "sample_words"]

_MAX_SPAN = 40.0          # the landscape never spans more than this per axis (a run that flies off)
_SURFACE_POINTS = 61
_CURVE_HALF_WIDTH = 1.5   # the error curve spans at least ±1.5 around today's value


def _fonts(figure) -> None:
    """Larger tick labels for the back row of a projected room."""
    if projector_mode():
        for ax in figure.axes:
            ax.tick_params(labelsize=12)
            for label in (ax.xaxis.label, ax.yaxis.label, ax.title):
                label.set_fontsize(14)


def sample_words(example, sample: int) -> str:
    """" (sample 2 of 4)" on a dataset of several samples, else ""."""
    return f" (sample {sample + 1} of {example.n_samples})" if example.n_samples > 1 else ""


class ErrorCurvePanel:
    """One sample's error against one parameter, with tangent and update step (a FigureImage)."""

    def __init__(self, width: float = 6.0, height: float = 3.3):
        self.picture = FigureImage(width, height)
        self.plot = ErrorCurvePlot(self.picture.figure.add_subplot())
        self.box = self.picture.box
        self.box.add_class("bt-error-curve")
        self.curve = None
        self._cache: dict = {}

    def show(self, example, parameter, sample: int, namer) -> None:
        """Draw E against ``parameter`` on ``sample`` (0-based), computed once per example, sample and parameter."""
        key = (example, parameter, sample)
        if key not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            # Wide enough for the curve to bend away from its tangent, and to hold the step.
            probe = error_curve(example, parameter, sample=sample, points=3)
            half_width = max(_CURVE_HALF_WIDTH, 4 * abs(probe.updated - probe.current))
            self._cache[key] = error_curve(example, parameter, sample=sample, half_width=half_width)
        self.curve = self._cache[key]
        words = sample_words(example, sample)
        self.plot.show(self.curve, namer, words)
        _fonts(self.picture.figure)
        self.picture.set_alt(curve_sentence(self.curve, namer, words))
        self.picture.refresh()


class ActivationPanel:
    """Each activation a network uses and its slope, every neuron marked (a FigureImage, one axes per activation)."""

    def __init__(self, width: float = 6.0, height: float = 3.3):
        self.picture = FigureImage(width, height)
        self.note = w.HTML()
        self.box = w.VBox([self.picture.box, self.note])
        self.box.add_class("bt-activation")
        self.plots: dict = {}
        self._names: tuple | None = None

    def _axes_for(self, names: tuple) -> None:
        if names == self._names:
            return
        figure = self.picture.figure
        figure.clear()
        self.picture.relayout()
        axes = figure.subplots(1, len(names), squeeze=False)[0] if names else []
        self.plots = {name: ActivationPlot(ax) for name, ax in zip(names, axes)}
        self._names = names

    def show(self, values, network, namer, highlight=None) -> None:
        """Mark every neuron at its (net, out) from ``values`` (a step's values); ring ``highlight`` (an Out key)."""
        names = tuple(plotted_activations(network))
        self._axes_for(names)
        sentences = []
        for name, plot in self.plots.items():
            points = neuron_points(values, network, name)
            plot.show(name, points, namer, highlight)
            sentences.append(activation_sentence(name, points, namer, highlight))
        skipped = skipped_sentence(network, namer)
        self.note.value = f"<p class='bt-activation-note'><i>{skipped}</i></p>" if skipped else ""
        self.picture.box.layout.display = "" if names else "none"
        _fonts(self.picture.figure)
        self.picture.set_alt(" ".join(sentences + ([skipped] if skipped else [])))
        if names:
            self.picture.refresh()


def default_pair(network) -> tuple:
    """The first output weight and the first input weight (w5 and w1 on Mazur's example)."""
    return Weight(network.depth, 0, 0), Weight(1, 0, 0)


def landscape_bounds(example, x_parameter, y_parameter) -> tuple:
    """((x0, x1), (y0, y1)): today's point ± 1 and the paths at the example's own rate and a tenth of it.

    Fixed per example and pair, so the slider moves only the path: a good or small rate's path
    stays on it, a too-large one leaves it.
    """
    epochs = min(example.epochs, 20000)
    paths = [descent_path(example, x_parameter, y_parameter, learning_rate=rate, epochs=epochs)[0]
             for rate in (example.learning_rate, example.learning_rate / 10)]
    path = np.concatenate(paths)
    path = path[np.all(np.isfinite(path), axis=1)]
    start = path[0]
    low = np.minimum(path.min(axis=0), start - 1.0)
    high = np.maximum(path.max(axis=0), start + 1.0)
    margin = 0.12 * (high - low)
    low, high = np.maximum(low - margin, start - _MAX_SPAN), np.minimum(high + margin, start + _MAX_SPAN)
    return (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))


class LandscapePanel:
    """The loss over two parameters (computed once per example and pair) and the path at a learning rate."""

    def __init__(self, width: float = 6.4, height: float = 4.4):
        self.picture = FigureImage(width, height)
        self.plot = LandscapePlot(self.picture.figure.add_subplot(), pixels=int(width * 96))
        # The contours stay while the example and pair do: a new rate redraws only the path over them.
        self.picture.canvas = LayeredCanvas(self.picture.figure, self.plot.artists)
        self.x_choice = w.Dropdown(description="Across", tooltip="The parameter along the horizontal axis",
                                   layout=w.Layout(width="auto"), style={"description_width": "initial"})
        self.y_choice = w.Dropdown(description="Up", tooltip="The parameter along the vertical axis",
                                   layout=w.Layout(width="auto"), style={"description_width": "initial"})
        tooltip_on_label(self.x_choice, self.y_choice)
        self.sentence = w.HTML()
        self.sentence.add_class("bt-landscape-sentence")
        heading = w.HTML("<b>The loss landscape of two parameters</b> (the others fixed): the path gradient "
                         "descent takes when it trains only those two, at this learning rate.")
        self.box = w.VBox([heading, w.HBox([self.x_choice, self.y_choice]), self.picture.box, self.sentence])
        self.box.add_class("bt-landscape")
        self.surface = None
        self.path = self.run = None
        self._key = None
        self._syncing = False

    def set_example(self, example, namer) -> None:
        """Fill the parameter choices and draw the surface of the chosen pair.

        The same network in other names keeps the pair; another example starts at :func:`default_pair`.
        """
        trained = [k for k in example.network.parameters.keys if k in _trained(example)]
        options = [(namer.text(k), k) for k in trained]
        pair = (self.x_choice.value, self.y_choice.value)
        same = self._key is not None and self._key[0] == example
        if not (same and pair[0] in trained and pair[1] in trained and pair[0] != pair[1]):
            pair = default_pair(example.network)
        self._syncing = True
        try:
            self.x_choice.options = self.y_choice.options = options
            self.x_choice.value, self.y_choice.value = pair
        finally:
            self._syncing = False
        self._surface(example, namer)

    def pair_changed(self) -> bool:
        """Whether the dropdowns now name a pair other than the drawn one (and a valid one)."""
        if self._syncing:
            return False
        return self.x_choice.value != self.y_choice.value and self._key is not None and \
            (self.x_choice.value, self.y_choice.value) != self._key[1]

    def _surface(self, example, namer) -> None:
        pair = (self.x_choice.value, self.y_choice.value)
        key = (example, pair, namer.notation)
        if key == self._key:
            return
        bounds = landscape_bounds(example, *pair)
        self.surface = error_surface(example, *pair, points=_SURFACE_POINTS, bounds=bounds)
        self.plot.show_surface(self.surface, namer, example.n_samples)
        self._key = key

    def show(self, example, namer, learning_rate: float, epochs: int) -> None:
        """Draw the descent path at ``learning_rate`` for ``epochs``; the surface is redrawn only for a new pair."""
        if self._key is None or self._key[0] != example or self._key[2] != namer.notation:
            self.set_example(example, namer)
        if self.x_choice.value == self.y_choice.value:
            self.sentence.value = "<i>Choose two different parameters.</i>"
            return
        self._surface(example, namer)
        self.path, self.run = descent_path(example, *self.surface.parameters, learning_rate=learning_rate,
                                           epochs=epochs)
        self.plot.show_path(self.path, self.run, namer)
        _fonts(self.picture.figure)
        text = path_sentence(self.path, self.surface, self.run, namer, fmt(learning_rate, 3))
        self.sentence.value = f"<p>{html.escape(text)}</p>"
        loss_words = namer.dataset_loss_words(example.n_samples)
        kx, ky = self.surface.parameters
        self.picture.set_alt(f"Contours of {loss_words} over {namer.text(kx)} and {namer.text(ky)}, darker where it "
                             f"is lower, with the descent path from the start (a ring). {text}")
        self.picture.refresh()


def _trained(example) -> set:
    # The derivation says which parameters an update moves (fixed biases have none).
    return set(derive(example.network).updates)


class BoundaryPanel:
    """The decision boundary over the input plane of a two-input network (a FigureImage)."""

    def __init__(self, width: float = 5.0, height: float = 4.2):
        self.picture = FigureImage(width, height)
        self.plot = DecisionBoundaryPlot(self.picture.figure.add_subplot())
        self.note = w.HTML()
        self.box = w.VBox([self.picture.box, self.note])
        self.box.add_class("bt-boundary")
        self.grid = None
        self._shape = None

    def show(self, example, parameters, outputs, namer) -> None:
        """Draw the outputs over the plane at ``parameters``; ``outputs`` are the samples' (from the engine)."""
        if example.network.layers[0] != 2:
            self.picture.box.layout.display = "none"
            self.note.value = ("<p><i>The decision boundary is drawn for networks with two inputs; this one has "
                               f"{example.network.layers[0]}.</i></p>")
            return
        self.picture.box.layout.display = ""
        self.note.value = ""
        shape = (example.network, namer.notation)
        if shape != self._shape:
            self.picture.relayout()
            self._shape = shape
        self.grid = decision_grid(example, parameters)
        self.plot.show(example, self.grid, namer)
        _fonts(self.picture.figure)
        self.picture.set_alt(boundary_sentence(example, self.grid, outputs, namer))
        self.picture.refresh()
