"""Learning-rate explorer: a log-scale slider, live loss curve, outputs, final weights and a sweep."""

from __future__ import annotations

import html
import math
import re
import threading
import time

import ipywidgets as w
import numpy as np

from ...core import budget
from ...core.checks import SpecError
from ...teaching.formatting import fmt
from ...teaching.notation import Namer
from ..plots import LayeredCanvas, LossCurve, OutputBars, SweepCurve
from .base import FigureImage, View, button, error_label, plain_text, show_error
from .models import BACKGROUND_SECONDS, RATE_EXPONENTS, Job, LearningRateRun, interrupt
from .see_it import LandscapePanel

__all__ = ["SWEEP_RATES", "LearningRateExplorer", "parameter_table", "rate_exponents", "status_sentence"]

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
        low, high = rate_exponents(self.run.learning_rate)
        self.rate = w.FloatLogSlider(value=self.run.learning_rate, base=10, min=low, max=high, step=0.01,
                                     description="Learning rate η", readout_format=".3g", continuous_update=False,
                                     tooltip="Learning rate on a log scale; arrow keys move it step by step",
                                     style={"description_width": "initial"}, layout=w.Layout(width="60%"))
        # Not bounded: a number past the work budget gets the budget's message instead of being clipped.
        self.epochs = w.IntText(value=self.run.epochs, step=1000, description="Epochs",
                                tooltip="How many epochs to train at this rate")
        self.progress = w.IntProgress(value=0, min=0, max=100, description="Training",
                                      layout=w.Layout(display="none"))
        self.stop_button = button("Stop", "Stop the training or sweep under way; what is done so far is shown",
                                  "stop", "danger")
        self.stop_button.layout.display = "none"
        self.stop_button.on_click(lambda _: self.stop())
        self.note = w.HTML()
        self.landscape_note = w.HTML()
        self.sweep_job = None
        self._sweeping = False
        self.epochs_error = error_label()
        self.clear_button = button("Clear earlier curves", "Forget the faint curves of earlier rates", "eraser")
        self.sweep_button = button(f"Sweep {SWEEP_RATES} rates", "Train at 300 learning rates at once and plot "
                                   "the final loss against the rate", "line-chart")
        self.status = w.HTML()
        self.weights = w.HTML()
        self.picture = FigureImage(9.5, 3.4)
        left, middle = self.picture.figure.subplots(1, 2, width_ratios=[3, 2])
        self.loss_curve, self.output_bars = LossCurve(left), OutputBars(middle)
        # A rate change moves the curves, the bars and their labels; axes, ticks and grid stay, so
        # only those artists are redrawn over the kept background (a whole draw costs far more).
        self.picture.canvas = LayeredCanvas(self.picture.figure,
                                            lambda: self.loss_curve.artists() + self.output_bars.artists())
        self.sweep_picture = FigureImage(6.5, 3.0)
        self.sweep_box = self.sweep_picture.box
        self.sweep_box.layout.display = "none"  # shown once a sweep has run
        self.sweep_curve = SweepCurve(self.sweep_picture.figure.add_subplot())
        # A rate change moves only the marker and its label over a kept sweep (a new sweep redraws all).
        self.sweep_picture.canvas = LayeredCanvas(self.sweep_picture.figure,
                                                  lambda: [self.sweep_curve.marker, self.sweep_curve.marker_text])
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
        # A click must leave the kernel free to hear Stop: the button's sweep does not wait.
        self.sweep_button.on_click(lambda _: self.run_sweep(wait=False))
        self.follow(self.run, self._on_result, ["result", "error", "note"])
        self.follow(self.run, self._on_progress, ["running", "done", "total"])
        self.follow(self.tutorial, self._on_example, "example")
        self.follow(self.tutorial, self._on_notation, "notation")
        self.children = [
            w.HBox([self.rate, self.epochs, self.epochs_error]),
            w.HBox([self.clear_button, self.sweep_button, self.progress, self.stop_button]),
            self.note,
            self.status,
            w.HBox([self.picture.box, self.weights], layout=w.Layout(align_items="flex-start")),
            self.landscape_note,
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
        """The descent path at the run's rate and epochs (the surface is kept while example and pair stay).

        The path is another training run, of every epoch recorded, on the kernel's thread: past
        :data:`BACKGROUND_SECONDS` the landscape is hidden and a sentence says why.
        """
        result = self.run.result
        if self.run.error or result is None:
            return
        epochs = result.stopped_at if result.stopped_at is not None else result.epochs
        example = self.tutorial.example
        seconds = budget.training_seconds(epochs, example.n_samples, len(example.network.parameters.keys),
                                          example.update == "batch")
        if seconds > BACKGROUND_SECONDS:
            self.landscape.box.layout.display = "none"
            self.landscape_note.value = (f"<i>The loss landscape is drawn for runs under a second; {epochs:,} "
                                         f"epochs would take about {seconds:.0f} seconds to trace.</i>")
            return
        self.landscape.box.layout.display = ""
        self.landscape_note.value = ""
        self.landscape.show(example, self._namer(), result.learning_rate, epochs)

    def _on_example(self, change):
        # The run may have taken the new example's own rate or epochs (the editor, a preset): the controls follow.
        low, high = rate_exponents(self.run.learning_rate)
        self.rate.min, self.rate.max = min(low, self.rate.min), max(high, self.rate.max)
        self.rate.value = self.run.learning_rate
        self.epochs.value = self.run.epochs
        self._forget_sweep()

    def _on_notation(self, change):
        with self.run.lock:
            self._draw(keep_previous=False)

    def _on_clear(self, _):
        with self.run.lock:
            self.loss_curve.clear_history()
            self._draw(keep_previous=False)

    def _on_result(self, change):
        if change["name"] == "result":
            self._draw()
        else:
            self._show_messages()

    def _on_progress(self, change):
        """The progress bar and Stop button, shown while a long training runs."""
        run = self.run
        self._show_progress(run.running, "Training", run.done, max(run.total, 1))

    def _show_progress(self, running: bool, label: str, done: float, total: float) -> None:
        shown = "" if running else "none"
        self.progress.layout.display = self.stop_button.layout.display = shown
        self.progress.description = label
        self.progress.value = int(100 * min(done, total) / total) if total else 0

    def detach(self) -> None:
        """Stop any training or sweep under way, then detach as every view does."""
        self.stop()
        if self.sweep_job is not None:
            self.sweep_job.wait()
        super().detach()

    def stop(self) -> None:
        """The Stop button: end the training or sweep under way; the training so far is shown."""
        self.run.stop()
        if self.sweep_job is not None and self.sweep_job.running:
            self.sweep_job.stop()
            if self._sweeping:   # only the engine's loop is interrupted, never a drawing
                interrupt(self.sweep_job.thread)

    def _show_messages(self) -> None:
        show_error(self.epochs_error, self.run.error)
        self.note.value = (f"<span class='bt-note' style='color:#8a5a00'>{html.escape(self.run.note)}</span>"
                           if self.run.note else "")

    def _draw(self, keep_previous=True):
        self._show_messages()
        result = self.run.result
        if result is None:
            return
        label = f"η = {fmt(result.learning_rate, 3)}"
        self.loss_curve.show(result.loss_history, label=label, diverged_at=result.diverged_at,
                             keep_previous=keep_previous)
        self.output_bars.show(result.outputs, self.tutorial.example.targets)
        example = self.tutorial.example
        name = Namer(example.network, self.tutorial.notation).dataset_loss(example.n_samples)[1]
        self.status.value = status_sentence(result, name)
        self.announce(plain_text(self.status.value))
        self.weights.value = "<b>Final parameters</b>" + parameter_table(self.tutorial, result.parameters)
        self.picture.set_alt(f"Loss curve on a log scale for learning rate {fmt(result.learning_rate, 3)}, "
                             f"ending at {fmt(result.loss)}; outputs "
                             + ", ".join(fmt(o) for o in result.outputs[0]) + " against targets "
                             + ", ".join(fmt(t) for t in self.tutorial.example.targets[0]) + ".")
        self.picture.refresh()
        self._draw_landscape()

    def run_sweep(self, count: int = SWEEP_RATES, wait: bool = True) -> None:
        """Final loss for ``count`` rates from 0.001 to 100, in one vectorised run (a long one on a thread).

        With ``wait`` (a notebook cell) the call returns once the curve is drawn, so nothing changes
        while a page loads the widgets (Voilà reads each widget's state in turn: a thread still drawing
        then leaves a shown sweep with an empty image); interrupting the kernel stops the sweep.
        """
        example, epochs = self.tutorial.example, self.run.epochs
        try:
            seconds, _ = budget.sweep_cost(count, epochs, example.n_samples, len(example.network.parameters.keys),
                                           False)
            budget.check_sweep(count, epochs, example.n_samples, len(example.network.parameters.keys), False)
        except SpecError as exc:
            self.status.value = _alert(str(exc))
            return
        rates = np.logspace(-3, 2, count)
        if seconds <= BACKGROUND_SECONDS:
            self._show_sweep(self.run.sweep(rates), rates)
            return
        if self.sweep_job is not None:
            self.sweep_job.wait()
        self.sweep_job = Job(lambda job: self._sweep_in_background(job, rates, seconds))
        if wait:
            try:
                self.sweep_job.wait()
            except KeyboardInterrupt:   # the kernel's interrupt: as Stop, then the thread ends
                self.stop()
                self.sweep_job.wait()

    def _sweep_in_background(self, job: Job, rates, seconds: float) -> None:
        """The sweep on this thread; a ticker moves the bar by the budget's estimate; Stop interrupts it."""
        start = time.perf_counter()
        try:
            self._show_progress(True, "Sweeping", 0, 1)
            threading.Thread(target=self._tick_sweep, args=(job, start, seconds), daemon=True).start()
            self._sweeping = True   # before the flag is read: a Stop from now on is seen one way or the other
            try:
                if job.stop_requested.is_set():
                    raise KeyboardInterrupt
                result = self.run.sweep(rates)
            finally:
                self._sweeping = False
            with self.run.lock:
                self._show_sweep(result, rates)
        except KeyboardInterrupt:
            self.status.value = _alert(f"Sweep stopped after {time.perf_counter() - start:.0f} of about "
                                       f"{seconds:.0f} seconds; no curve is shown. Fewer epochs sweep faster.")
        except SpecError as exc:
            self.status.value = _alert(str(exc))
        finally:
            job.stop_requested.set()   # ends the ticker
            self._show_progress(False, "Sweeping", 0, 1)

    def _tick_sweep(self, job: Job, start: float, seconds: float) -> None:
        while not job.stop_requested.wait(0.25):
            self._show_progress(True, "Sweeping", min(time.perf_counter() - start, 0.99 * seconds), seconds)

    def _show_sweep(self, result, rates) -> None:
        count = len(rates)
        self.sweep_result = result
        self.sweep_curve.show(result)
        self.sweep_curve.mark(self.run.learning_rate)
        diverged = int(np.sum(result.diverged_at >= 0))
        saturated = int(np.sum(result.state == "saturated"))
        best = int(np.nanargmin(result.final_loss)) if diverged < count else None
        # The legend's entries change inside the legend, which the kept background cannot see.
        self.sweep_picture.canvas.invalidate()
        self.sweep_picture.set_alt(
            f"Final loss after {self.run.epochs} epochs for {count} learning rates from 0.001 to 100"
            + (f"; lowest at η = {fmt(rates[best], 3)}" if best is not None else "")
            + f"; {diverged} diverged" + (f", {saturated} saturated" if saturated else "")
            + f". The current rate {fmt(self.run.learning_rate, 3)} is marked.")
        self.sweep_picture.refresh()
        self.sweep_box.layout.display = ""


def _alert(text: str) -> str:
    return f"<b style='color:#b00020'>{html.escape(text)}</b>"


def rate_exponents(rate: float) -> tuple:
    """The slider's range (log10): 0.001 to 100, widened to hold ``rate`` so the slider never changes it."""
    low, high = RATE_EXPONENTS
    exponent = math.log10(rate) if rate > 0 and math.isfinite(rate) else 0.0
    return min(low, math.floor(exponent)), max(high, math.ceil(exponent))


def status_sentence(result, name: str) -> str:
    """What the run did, in words: trained, diverged, saturated or stopped (HTML)."""
    rate = fmt(result.learning_rate, 3)
    if result.state == "diverged":
        return (f"<b style='color:#b00020'>η = {rate} diverged at epoch {result.diverged_at}</b>: the loss or a "
                f"parameter became infinite or not a number. The curve stops there.")
    epochs = f"{result.epochs} epoch{'s' if result.epochs != 1 else ''}"
    loss = f"{html.escape(name)} = {fmt(result.loss)} (from {fmt(result.loss_history[0])})"
    if result.state == "stopped":
        return (f"<b style='color:#8a5a00'>Stopped after epoch {result.stopped_at:,} of {result.epochs:,}</b>: "
                f"η = {rate}, {loss} so far.")
    if result.state == "saturated":
        return (f"<b style='color:#8a5a00'>η = {rate} saturated</b>: after {epochs} {loss}, and every gradient is "
                f"almost zero (neurons pinned where their activation is flat), so more epochs change nothing.")
    return f"<b>η = {rate}</b>: after {epochs} {loss}."
