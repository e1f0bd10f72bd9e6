"""Training view: Play / Pause / Step / Reset; the loss curve grows and the diagram shows the weights.

Optional panels follow the training as it plays: ``"activations"`` (every neuron on its activation
curve and its slope) and ``"boundary"`` (the decision boundary over the input plane of a two-input network).
"""

from __future__ import annotations

import ipywidgets as w

from ...core import budget
from ...core.engine import evaluate_step
from ...core.quantities import Out, Target
from ...teaching.formatting import fmt
from ...teaching.notation import Namer
from ..plots import LossCurve
from .base import DiagramSlot, FigureImage, View, button, plain_text
from .models import TrainingRun
from .see_it import ActivationPanel, BoundaryPanel

__all__ = ["PANELS", "TICK_SECONDS", "TrainingView"]

PANELS = ("activations", "boundary")
#: One tick of Play trains at most about this long (a big network trains fewer epochs per tick).
TICK_SECONDS = 1.0


def _state_words(run) -> str:
    """The run's end in words: diverged or saturated (HTML), else nothing."""
    if run.diverged_at is not None:
        return (f"<b style='color:#b00020'>Diverged at epoch {run.diverged_at}</b>: a parameter or the loss "
                f"became infinite or not a number; Reset to start again, or try a smaller learning rate.")
    if run.saturated:
        return ("<b style='color:#8a5a00'>Saturated</b>: every gradient is almost zero (neurons pinned where "
                "their activation is flat), so more epochs change nothing; Reset, or try a smaller learning rate.")
    return ""


class TrainingView(View):
    """Watch any network train: each tick of Play trains a few more epochs.

    ``panels`` adds figures that move with the training: any of ``"activations"`` and ``"boundary"``.
    """

    slot = "training-view"

    def __init__(self, tutorial="mazur", epochs_per_tick: int = 200, slot: str | None = None, panels=()):
        panels = (panels,) if isinstance(panels, str) else tuple(panels)
        unknown = [p for p in panels if p not in PANELS]
        if unknown:
            raise ValueError(f"panels: expected any of {', '.join(PANELS)}; got {unknown[0]!r}")
        super().__init__(tutorial, slot)
        self.activation = ActivationPanel(5.2, 3.2) if "activations" in panels else None
        self.boundary = BoundaryPanel(4.6, 3.9) if "boundary" in panels else None
        self.run = self.own(TrainingRun(self.tutorial))
        self.play = w.Play(value=0, min=0, max=10**9, step=1, interval=250, description="Play",
                           tooltip="Play / pause training", show_repeat=False)
        # The Play widget is the ticker; its own buttons are bare icons with no name or tooltip,
        # so it stays hidden and a labelled toggle button plays and pauses it.
        self.play.layout.display = "none"
        self.play_button = w.ToggleButton(value=False, description="Play", icon="play",
                                          tooltip="Play / pause training: each tick trains 'Epochs per tick' epochs",
                                          layout=w.Layout(width="auto"))
        self._play_link = w.link((self.play_button, "value"), (self.play, "playing"))
        self.step_button = button("Step 1 epoch", "Train exactly one more epoch", "step-forward")
        self.reset_button = button("Reset", "Back to the initial weights, epoch 0", "undo")
        self.speed = w.IntSlider(value=epochs_per_tick, min=1, max=2000, step=1, description="Epochs per tick",
                                 tooltip="How many epochs each tick of Play trains",
                                 style={"description_width": "initial"})
        self.counter = w.HTML()
        self.state_note = w.HTML()   # diverged or saturated, in words
        self.picture = FigureImage(10.0, 3.6)
        self._axes = self.picture.figure.subplots(1, 2, width_ratios=[3, 2])
        self.loss_curve = LossCurve(self._axes[1], name="training")
        self.diagram_slot = DiagramSlot(self.picture, self._axes[0])   # the loss curve keeps the right
        self.diagram = None
        self.play.observe(self._on_tick, "value")
        self.play.observe(self._on_playing, "playing")
        self.step_button.on_click(lambda _: self.run.advance(1))
        self.reset_button.on_click(self._on_reset)
        self.follow(self.run, self._on_run, "epoch")
        self.follow(self.run, self._on_run, ["diverged_at", "saturated"])
        self.follow(self.tutorial, self._on_notation, "notation")
        # A new example resets the run; at epoch 0 already, no epoch change would redraw.
        self.follow(self.tutorial, self._on_example, "example")
        extras = [panel.box for panel in (self.activation, self.boundary) if panel is not None]
        self.children = [w.HBox([self.play_button, self.play, self.step_button, self.reset_button, self.speed]),
                         self.counter, self.state_note, self.picture.box] + ([w.HBox(extras, layout=w.Layout(
                             flex_flow="row wrap", align_items="flex-start"))] if extras else [])
        self._draw()

    def _on_tick(self, change):
        if change["new"] > change["old"]:
            self.run.advance(self.epochs_per_tick())

    def epochs_per_tick(self) -> int:
        """The slider's epochs per tick, fewer if training them would take over a second (the budget's estimate)."""
        example = self.tutorial.example
        per_epoch = budget.training_seconds(1, example.n_samples, len(example.network.parameters.keys),
                                            example.update == "batch")
        return max(1, min(self.speed.value, int(TICK_SECONDS / per_epoch)))

    def _on_playing(self, change):
        self.play_button.description, self.play_button.icon = ("Pause", "pause") if change["new"] else ("Play", "play")
        if not change["new"]:   # paused: say where training stands
            self._say_where_training_stands()

    def _say_where_training_stands(self):
        self.announce(plain_text(self.counter.value + ". " + self.state_note.value))

    def _on_reset(self, _):
        self.play.playing = False
        self.run.reset()
        self._draw()

    def _on_run(self, change):
        if self.run.diverged_at is not None or self.run.saturated:
            self.play.playing = False
        self._draw()

    def _on_example(self, change):
        self._draw()

    def _on_notation(self, change):
        self._draw()

    def _draw(self):
        example = self.tutorial.example
        network = example.network
        self.diagram = self.diagram_slot.diagram_for(network, self.tutorial.notation)
        run = self.run
        outputs = {Out(network.depth, j): v for j, v in enumerate(run.outputs[0])}
        targets = {Target(j): v for j, v in enumerate(example.targets[0])}
        self.diagram.update(weights=run.weights, biases=run.biases, values=outputs | targets)
        self.loss_curve.show(run.loss_history, diverged_at=run.diverged_at, keep_previous=False)
        name = Namer(network, self.tutorial.notation).dataset_loss(self.tutorial.example.n_samples)[1]
        outputs = ", ".join(fmt(v) for v in run.outputs[0])
        diverged = (f" — <b style='color:#b00020'>diverged at epoch {run.diverged_at}</b>"
                    if run.diverged_at is not None else "")
        self.state_note.value = _state_words(run)
        self.counter.value = (f"<span class='bt-epoch'>Epoch <b>{run.epoch}</b></span> · {name} = "
                              f"<b>{fmt(run.loss)}</b> · outputs {outputs}{diverged}")
        self.picture.set_alt(f"Network after {run.epoch} epochs: edge width and colour show each weight "
                             f"(dashed edges are negative). Loss {fmt(run.loss)}; outputs {outputs}.")
        self.picture.refresh()
        if not self.play.playing:   # not on every tick of Play: a screen reader would never finish
            self._say_where_training_stands()
        self._draw_panels()

    def _draw_panels(self):
        """The activation and boundary panels at the run's parameters (the activations on the tutorial's sample)."""
        example, run = self.tutorial.example, self.run
        namer = Namer(example.network, self.tutorial.notation)
        if self.activation is not None:
            values = evaluate_step(example, self.tutorial.sample, run.parameters)
            self.activation.show(values, example.network, namer)
        if self.boundary is not None:
            self.boundary.show(example, run.parameters, run.outputs, namer)
