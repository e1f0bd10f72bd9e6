"""Learning-rate explorer: a log-scale slider, live loss curve, outputs, final weights and a sweep."""

from __future__ import annotations

import html
import re

import ipywidgets as w
import numpy as np

from ...core.quantities import TotalError
from ...teaching.formatting import fmt
from ...teaching.notation import Namer
from ..plots import LossCurve, OutputBars, SweepCurve
from .base import FigureImage, View, button, error_label, show_error
from .models import LearningRateRun
from .see_it import LandscapePanel

__all__ = ["LearningRateExplorer", "parameter_table"]

SWEEP_RATES = 300


def parameter_table(tutorial, parameters) -> str:
    """An HTML table of parameter names and values (the final weights of a run)."""
    network = tutorial.example.network
    namer = Namer(network, tutorial.notation)
    cells = [f"<tr><td>{html.escape(namer.text(p))}</td><td style='text-align:right'>{fmt(v)}</td></tr>"
             for p, v in zip(network.parameters.keys, parameters)]
    return "<table class='bt-parameters'><tr><th>parameter</th><th>value</th></tr>" + "".join(cells) + "</table>"


class LearningRateExplorer(View):
    """Drag the learning rate (0.001 to 100): loss curve, outputs against targets, final weights."""

    slot = "learning-rate-explorer"

    def __init__(self, tutorial="mazur", epochs: int | None = None, slot: str | None = None):
        super().__init__(tutorial, slot)
        self.run = self.own(LearningRateRun(self.tutorial, epochs=epochs))
        self.rate = w.FloatLogSlider(value=self.run.learning_rate, base=10, min=-3, max=2, step=0.01,
                                     description="Learning rate η", readout_format=".3g", continuous_update=False,
                                     tooltip="Learning rate on a log scale; arrow keys move it step by step",
                                     style={"description_width": "initial"}, layout=w.Layout(width="60%"))
        self.epochs = w.BoundedIntText(value=self.run.epochs, min=1, max=200_000, step=1000, description="Epochs",
                                       tooltip="How many epochs to train at this rate")
        self.epochs_error = error_label()
        self.clear_button = button("Clear earlier curves", "Forget the faint curves of earlier rates", "eraser")
        self.sweep_button = button(f"Sweep {SWEEP_RATES} rates", "Train at 300 learning rates at once and plot "
                                   "the final loss against the rate", "line-chart")
        self.status = w.HTML()
        self.weights = w.HTML()
        self.picture = FigureImage(9.5, 3.4)
        left, middle = self.picture.figure.subplots(1, 2, width_ratios=[3, 2])
        self.loss_curve, self.output_bars = LossCurve(left), OutputBars(middle)
        self.sweep_picture = FigureImage(6.5, 3.0)
        self.sweep_box = self.sweep_picture.box
        self.sweep_box.layout.display = "none"  # shown once a sweep has run
        self.sweep_curve = SweepCurve(self.sweep_picture.figure.add_subplot())
        self.sweep_result = None
        self.sweep_box.add_class("bt-sweep")
        # The landscape's grid is computed once per example and pair; each rate redraws only the path.
        self.landscape = LandscapePanel()
        self.landscape.set_example(self.tutorial.example, self._namer())
        self.landscape.x_choice.observe(self._on_pair, "value")
        self.landscape.y_choice.observe(self._on_pair, "value")
        self.rate.observe(self._on_rate, "value")
        self.epochs.observe(self._on_epochs, "value")
        self.clear_button.on_click(self._on_clear)
        self.sweep_button.on_click(lambda _: self.run_sweep())
        self.follow(self.run, self._on_result, ["result", "error"])
        self.follow(self.tutorial, self._on_example, "example")
        self.follow(self.tutorial, self._on_notation, "notation")
        self.children = [
            w.HBox([self.rate, self.epochs, self.epochs_error]),
            w.HBox([self.clear_button, self.sweep_button]),
            self.status,
            w.HBox([self.picture.box, self.weights], layout=w.Layout(align_items="flex-start")),
            self.landscape.box,
            self.sweep_box,
        ]
        self._draw()

    def _on_rate(self, change):
        self.run.learning_rate = float(change["new"])
        if self.sweep_result is not None:
            self.sweep_curve.mark(self.run.learning_rate)
            # The text alternative names the marked rate too.
            self.sweep_picture.set_alt(re.sub(r"current rate \S+ is marked",
                                              f"current rate {fmt(self.run.learning_rate, 3)} is marked",
                                              self.sweep_picture.image.tooltip))
            self.sweep_picture.refresh()

    def _on_epochs(self, change):
        self.run.epochs = int(change["new"])
        self._forget_sweep()

    def _forget_sweep(self):
        """A sweep made for other epochs or another network no longer applies: hide it."""
        self.sweep_result = None
        self.sweep_box.layout.display = "none"

    def _namer(self) -> Namer:
        return Namer(self.tutorial.example.network, self.tutorial.notation)

    def _on_pair(self, change):
        if self.landscape.pair_changed():
            self._draw_landscape()

    def _draw_landscape(self):
        """The descent path at the run's rate and epochs (the surface is kept while example and pair stay)."""
        if self.run.error:
            return
        self.landscape.show(self.tutorial.example, self._namer(), self.run.learning_rate, self.run.epochs)

    def _on_example(self, change):
        # The run may have taken the new example's own rate or epochs (the editor, a preset): the controls follow.
        self.rate.value = self.run.learning_rate
        self.epochs.value = self.run.epochs
        self._forget_sweep()

    def _on_notation(self, change):
        self._draw(keep_previous=False)

    def _on_clear(self, _):
        self.loss_curve.clear_history()
        self._draw(keep_previous=False)

    def _on_result(self, change):
        self._draw()

    def _draw(self, keep_previous=True):
        show_error(self.epochs_error, self.run.error)
        result = self.run.result
        if result is None:
            return
        label = f"η = {fmt(result.learning_rate, 3)}"
        self.loss_curve.show(result.loss_history, label=label, diverged_at=result.diverged_at,
                             keep_previous=keep_previous)
        self.output_bars.show(result.outputs, self.tutorial.example.targets)
        name = Namer(self.tutorial.example.network, self.tutorial.notation).text(TotalError())
        if result.diverged_at is not None:
            self.status.value = (f"<b style='color:#b00020'>η = {fmt(result.learning_rate, 3)} diverged at epoch "
                                 f"{result.diverged_at}</b>: the loss became infinite. The curve stops there.")
        else:
            epochs = f"{result.epochs} epoch{'s' if result.epochs != 1 else ''}"
            self.status.value = (f"<b>η = {fmt(result.learning_rate, 3)}</b>: after {epochs} "
                                 f"{html.escape(name)} = {fmt(result.loss)} (from {fmt(result.loss_history[0])}).")
        self.weights.value = "<b>Final parameters</b>" + parameter_table(self.tutorial, result.parameters)
        self.picture.set_alt(f"Loss curve on a log scale for learning rate {fmt(result.learning_rate, 3)}, "
                             f"ending at {fmt(result.loss)}; outputs "
                             + ", ".join(fmt(o) for o in result.outputs[0]) + " against targets "
                             + ", ".join(fmt(t) for t in self.tutorial.example.targets[0]) + ".")
        self.picture.refresh()
        self._draw_landscape()

    def run_sweep(self, count: int = SWEEP_RATES) -> None:
        """Final loss for ``count`` rates from 0.001 to 100, in one vectorised run."""
        rates = np.logspace(-3, 2, count)
        self.sweep_result = self.run.sweep(rates)
        self.sweep_curve.show(self.sweep_result)
        self.sweep_curve.mark(self.run.learning_rate)
        diverged = int(np.sum(self.sweep_result.diverged_at >= 0))
        best = int(np.nanargmin(self.sweep_result.final_loss)) if diverged < count else None
        self.sweep_picture.set_alt(
            f"Final loss after {self.run.epochs} epochs for {count} learning rates from 0.001 to 100"
            + (f"; lowest at η = {fmt(rates[best], 3)}" if best is not None else "")
            + f"; {diverged} diverged. The current rate {fmt(self.run.learning_rate, 3)} is marked.")
        self.sweep_picture.refresh()
        self.sweep_box.layout.display = ""
