"""Step-through: Previous / Next / Reset over the walkthrough, each step as formula, numbers, value.

With **Predict first** on, each value stays hidden until the learner types a prediction (Enter
submits, Enter again goes on) or, for an update, chooses increase or decrease; **Show** reveals
without predicting.
"""

from __future__ import annotations

import html
import warnings

import ipywidgets as w

from ...core import registry
from ...core.quantities import Bias, Delta, Net, Out, Partial, TotalError, Updated, Weight, gradient
from ...teaching.formatting import aligned_tex, alternative_tex, fmt
from ...teaching.notation import NOTATIONS, Namer
from ...teaching.touches import known_values
from ...teaching.walkthrough import PHASE_TITLES, PHASES, Step
from .base import DiagramSlot, View, button, math_block, spoken, text_column, tooltip_on_label
from .models import Predictions, StepCursor
from .see_it import ActivationPanel, ErrorCurvePanel
from .svg_diagram import SvgFigure

__all__ = ["StepThrough", "clicked_step", "curve_parameter", "sample_options", "shown_neuron", "step_announcement",
           "step_html"]

_PHASE_LABELS = {"forward": "Forward", "error": "Error", "output": "Output layer",
                 "hidden": "Hidden layer", "update": "Update"}


def step_announcement(step: Step, number: int, total: int, hidden: bool = False) -> str:
    """What a screen reader says when a step opens: where, its title, its value (or a request to predict it)."""
    said = f"Step {number} of {total}: {step.title}."
    if step.value is None:
        return said
    if hidden:
        return f"{said} Predict {step.name_text}."
    return f"{said} {step.name_text} = {step.value_text}."


def step_html(step: Step, total: int, hidden: bool = False, number: int | None = None) -> str:
    """The step as HTML with display maths: formula, the same with numbers, the value.

    ``number`` is the step's place on the path being walked, from 1 (its place in the whole
    walkthrough by default), of ``total``. ``hidden``: the value (and every other form that
    shows it) waits for the learner's prediction.
    """
    number = step.index + 1 if number is None else number
    parts = [
        f'<div class="bt-step-header" style="color:#555">Step {number} of {total} · '
        f"{html.escape(PHASE_TITLES[step.phase])}</div>",
        f'<h3 class="bt-step-title" style="margin:0.2em 0">{html.escape(step.title)}</h3>',
        f"<p>{html.escape(step.explanation)}</p>",
    ]
    if step.value is None:
        parts.append(math_block(f"{step.formula.tex} = {step.formula.tex_numbers}"))
    elif hidden:
        parts.append(math_block(step.formula.tex))
        what = "Will it increase or decrease?" if isinstance(step.key, Updated) else \
            "What is its value? Type your prediction below."
        parts.append(f'<p class="bt-predict-prompt"><b>{html.escape(step.name_text)} = ?</b> {what}</p>')
        return "\n".join(parts)
    else:
        # One block aligned on "=": the formula, the same with numbers, the value.
        parts.append(math_block(aligned_tex(step.formula, step.value_tex)))
        parts.append(spoken(f"{step.name_text} = {step.value_text}", "bt-value"))
    for alt in step.alternatives:
        parts.append(f"<p><i>{html.escape(alt.label)}:</i></p>")
        parts.append(math_block(alternative_tex(alt, step.value_tex)))
    return "\n".join(parts)


def clicked_step(walk, target, phase: str) -> int | None:
    """The step a click on the diagram opens, in the phase shown now; None if there is none.

    A weight or bias opens its gradient step (its update step in the update phase); a neuron
    its net input in the forward pass, its delta in the backward pass, else its net input.
    """
    if isinstance(target, (Weight, Bias)):
        keys = [Updated(target), gradient(target)] if phase == "update" else [gradient(target)]
    else:
        layer, j = target
        keys = [Delta(layer, j), Net(layer, j)] if phase in ("output", "hidden") else [Net(layer, j)]
    for key in keys:
        try:
            return walk.step_for(key).index
        except KeyError:
            continue
    return None


def sample_options(example, namer) -> list:
    """(label, index) per sample: "Sample 1: i1 = 0, i2 = 0 → target 0"."""
    options = []
    for s, (x, t) in enumerate(zip(example.inputs, example.targets)):
        inputs = ", ".join(f"{namer.text(Out(0, k))} = {fmt(v)}" for k, v in enumerate(x))
        targets = ("target " if len(t) == 1 else "targets ") + ", ".join(fmt(v) for v in t)
        options.append((f"Sample {s + 1}: {inputs} → {targets}", s))
    return options


def curve_parameter(step):
    """The weight or bias whose error curve a step shows: its gradient or update step's parameter, else None."""
    key = step.key
    if isinstance(key, Updated):
        return key.param
    if isinstance(key, Partial) and key.of == TotalError() and isinstance(key.wrt, (Weight, Bias)):
        return key.wrt
    return None


def shown_neuron(step, network):
    """The neuron whose activation a step shows (its output, or its slope ∂out/∂net), else None.

    Softmax couples a layer's neurons: it has no curve of one net input, so its steps show none.
    """
    key = step.key
    if isinstance(key, Partial) and isinstance(key.of, Out) and isinstance(key.wrt, Net) \
            and key.of.node == key.wrt.node:
        key = key.of
    if not isinstance(key, Out) or key.layer == 0:
        return None
    return None if registry.activation(network.activations[key.layer - 1]).coupled else key


class StepThrough(View):
    """Previous / Next / Reset and a jump to each phase; notation switch; live network diagram.

    ``phase`` opens the walkthrough at the first step of that phase instead of the start.
    ``path="lecture"`` walks one step of each kind (about 13 on Mazur's example); **Show all
    steps** switches to every step and back. Clicking a weight, bias or neuron on the diagram
    opens its step (see :func:`clicked_step`).
    """

    slot = "step-through"

    def __init__(self, tutorial="mazur", phase: str | None = None, slot: str | None = None, path: str = "full"):
        super().__init__(tutorial, slot)
        self.cursor = self.own(StepCursor(self.tutorial, path=path))
        if phase is not None:
            self.cursor.jump(phase)
        self.previous_button = button("Previous", "Go back one step", "arrow-left")
        self.next_button = button("Next", "Go on to the next step", "arrow-right", "primary")
        self.reset_button = button("Reset", "Back to the first step", "undo")
        self.previous_button.on_click(lambda _: self.cursor.previous())
        self.next_button.on_click(lambda _: self.cursor.next())
        self.reset_button.on_click(lambda _: self.cursor.reset())
        self.all_steps = w.ToggleButton(
            value=self.cursor.path == "full", description="Show all steps", icon="list", layout=w.Layout(width="auto"),
            tooltip="Every step of the epoch; off: one step of each kind (the lecture path)")
        # Compact: the phase and the notation are one dropdown each, side by side.
        self.phase_buttons = w.Dropdown(
            options=[(_PHASE_LABELS[p], p) for p in PHASES], description="Jump to",
            tooltip="Go to the first step of a phase", layout=w.Layout(width="auto"),
            style={"description_width": "initial"})
        self.notation_buttons = w.Dropdown(
            options=[("Mazur (w1, net_h1)", "mazur"), ("Layered (w11_2, z1_2)", "layered")],
            value=self.tutorial.notation, description="Notation",
            tooltip="Mazur's names, as in his article, or layer-indexed names, as in most deep-learning code",
            layout=w.Layout(width="auto"), style={"description_width": "initial"})
        self.sample_choice = w.Dropdown(
            options=[], description="Sample", tooltip="Which sample the epoch's steps are worked on",
            layout=w.Layout(width="auto"), style={"description_width": "initial"})
        tooltip_on_label(self.phase_buttons, self.notation_buttons, self.sample_choice)
        self.predictions = self.own(Predictions(self.tutorial, self.cursor))
        self.predict_toggle = w.ToggleButton(value=False, description="Predict first", icon="question",
                                             tooltip="Hide each value until you have predicted it",
                                             layout=w.Layout(width="auto"))
        self.guess = w.Text(description="Your prediction", placeholder="a number, e.g. 0.0822",
                            tooltip="Type your prediction and press Enter; press Enter again to go on",
                            continuous_update=False, style={"description_width": "initial"})
        self.direction = w.ToggleButtons(options=[("Increase", "increase"), ("Decrease", "decrease")], value=None,
                                         description="It will", tooltips=["The parameter gets larger",
                                                                          "The parameter gets smaller"],
                                         style={"button_width": "auto"})
        self.show_button = button("Show", "Show the value without predicting", "eye")
        tooltip_on_label(self.guess)
        self.feedback = w.HTML()
        self.score = w.HTML()
        self.predict_box = w.VBox([w.HBox([self.guess, self.direction, self.show_button]), self.feedback])
        self.position = w.IntSlider(min=1, max=len(self.cursor.steps), description="Step",
                                    tooltip="Drag or use the arrow keys to move through the steps",
                                    continuous_update=False, layout=w.Layout(width="100%"))
        # A long equation scrolls inside the text column instead of running under the diagram.
        self.body = text_column(w.HTMLMath(layout=w.Layout(min_height="18em", overflow="auto")))
        self.picture = SvgFigure(7.5, 4.2, action="open its step")
        self.diagram_slot = DiagramSlot(self.picture, min_font=self.picture.min_font, sparse=self.picture.projector)
        self.diagram = None
        # Beside a gradient or an update: the error against that parameter; beside an output or
        # its slope: the activation with every neuron on it. Hidden on other steps.
        self.curve = ErrorCurvePanel()
        self.activation = ActivationPanel()
        self._samples_of = None
        self._shown = None
        self._syncing = False
        self.phase_buttons.observe(self._on_phase, "value")
        self.notation_buttons.observe(self._on_notation, "value")
        self.sample_choice.observe(self._on_sample, "value")
        self.position.observe(self._on_position, "value")
        self.all_steps.observe(self._on_all_steps, "value")
        self.picture.on_click(self._on_diagram_click)
        self.follow(self.cursor, self._on_index, ["index", "path"])
        self.follow(self.tutorial, self._on_walk, "walk")
        w.link((self.predict_toggle, "value"), (self.predictions, "enabled"))
        self.follow(self.predictions, self._on_predictions, ["enabled", "revealed", "feedback"])
        self.follow(self.tutorial, self._on_score, ["predictions_right", "predictions_tried"])
        with warnings.catch_warnings():
            # ipywidgets 8 deprecates on_submit, but only it fires on every Enter: the second
            # Enter (same text, no value change) is how a keyboard user goes on.
            warnings.simplefilter("ignore", DeprecationWarning)
            self.guess.on_submit(self._on_submit)
        self.guess.observe(self._on_guess, "value")
        self.direction.observe(self._on_direction, "value")
        self.show_button.on_click(lambda _: self.predictions.show())
        controls = w.HBox([self.previous_button, self.next_button, self.reset_button, self.all_steps,
                           self.predict_toggle, self.score], layout=w.Layout(flex_flow="row wrap"))
        choices = w.HBox([self.phase_buttons, self.notation_buttons, self.sample_choice],
                         layout=w.Layout(flex_flow="row wrap"))
        figures = w.VBox([self.picture.box, self.curve.box, self.activation.box])
        self.children = [controls, self.position, choices, self.predict_box,
                         w.HBox([self.body, figures], layout=w.Layout(align_items="flex-start"))]
        figures.layout.width = f"{self.picture.column}%"
        self.body.layout.width = f"{100 - self.picture.column}%"
        self._render()

    # -- model -> view -------------------------------------------------------------------
    def _on_walk(self, change):
        self._render()

    def _on_index(self, change):
        self._render()

    def _on_predictions(self, change):
        self._render()

    def _on_score(self, change):
        self._show_score()

    def _show_score(self):
        t = self.tutorial
        self.score.value = (f'<span class="bt-score">Predictions right: <b>{t.predictions_right}</b> of '
                            f"{t.predictions_tried}</span>" if self.predictions.enabled else "")

    def _render(self):
        walk, index, steps = self.tutorial.walk, self.cursor.index, self.cursor.steps
        hidden = self.predictions.hidden
        state = (walk, index, steps, hidden, self.predictions.feedback)
        # A new walkthrough can move the cursor too: both observers fire, one drawing is enough.
        if self._shown == state:
            return
        self._shown = state
        self.diagram = self.diagram_slot.diagram_for(self.tutorial.example.network, self.tutorial.notation)
        step = walk[index]
        self._syncing = True
        try:
            # The slider runs over the path and counts from 1, like the header.
            self.position.max = len(steps)
            self.position.value = self.cursor.position + 1
            self.all_steps.value = self.cursor.path == "full"
            self.phase_buttons.value = step.phase
            self.notation_buttons.value = self.tutorial.notation
            self._render_samples()
        finally:
            self._syncing = False
        self.previous_button.disabled = self.cursor.at_start
        self.next_button.disabled = self.cursor.at_end
        self.body.value = step_html(step, len(steps), hidden=hidden, number=self.cursor.position + 1)
        self._render_prediction(step, hidden)
        example = self.tutorial.example
        # A hidden value must not show on the diagram either: show what was known one step before.
        values = known_values(walk, index - 1 if hidden else index)
        self.diagram.highlight_step(step, values, weights=example.weights, biases=example.biases)
        self.picture.set_alt(self.diagram.text_alternative())
        self.picture.refresh()
        self._render_figures(step, hidden)
        self.announce(step_announcement(step, self.cursor.position + 1, len(steps), hidden))

    def _render_samples(self):
        example = self.tutorial.example
        key = (example.inputs, example.targets, self.tutorial.notation)
        if key != self._samples_of:
            self.sample_choice.options = sample_options(example, Namer(example.network, self.tutorial.notation))
            self._samples_of = key
        self.sample_choice.value = self.tutorial.sample
        self.sample_choice.layout.display = "" if example.n_samples > 1 else "none"

    def _render_figures(self, step, hidden):
        """The error curve or the activation plot the step calls for; neither while its value waits for a prediction."""
        example, walk = self.tutorial.example, self.tutorial.walk
        namer = Namer(example.network, self.tutorial.notation)
        parameter = None if hidden else curve_parameter(step)
        neuron = None if hidden else shown_neuron(step, example.network)
        self.curve.box.layout.display = "" if parameter is not None else "none"
        self.activation.box.layout.display = "" if neuron is not None else "none"
        if parameter is not None:
            self.curve.show(example, parameter, walk.sample, namer)
        if neuron is not None:
            self.activation.show(walk.values, example.network, namer, highlight=neuron)

    def _render_prediction(self, step, hidden):
        p = self.predictions
        self.predict_box.layout.display = "" if p.enabled and step.value is not None else "none"
        self.guess.layout.display = "none" if p.asks_direction else ""
        self.direction.layout.display = "" if p.asks_direction else "none"
        self.show_button.disabled = not hidden
        self._syncing = True
        try:
            if hidden:
                self.guess.value = ""
                self.direction.value = None
        finally:
            self._syncing = False
        self.guess.disabled = self.direction.disabled = False
        feedback = p.feedback
        if feedback is None:
            self.feedback.value = ""
        else:
            colour = {"right": "#1a7f37", "close": "#9a6700", "off": "#b00020", "invalid": "#b00020"}[feedback.verdict]
            label = {"right": "✔", "close": "≈", "off": "✘", "invalid": "⚠"}[feedback.verdict]
            text = feedback.message
            hint = f'<div class="bt-hint">Hint: {html.escape(feedback.hint)}</div>' if feedback.hint else ""
            go_on = "" if feedback.verdict == "invalid" else " Press Enter or Next to go on."
            self.feedback.value = (f'<div class="bt-feedback" role="status" style="color:{colour}"><b>{label}</b> '
                                   f"{html.escape(text)}{go_on}</div>{hint}")
        self._show_score()

    # -- view -> model -------------------------------------------------------------------
    def _on_guess(self, change):
        # Enter (or leaving the field) sets the value: that is the prediction.
        if not self._syncing and self.predictions.hidden and change["new"].strip():
            self.predictions.predict(change["new"])

    def _on_submit(self, _):
        # The browser sends Enter before the new value, so a hidden step waits for the value;
        # once the value is shown, Enter again goes on.
        if self.predictions.enabled and not self.predictions.hidden:
            self.cursor.next()

    def _on_direction(self, change):
        if not self._syncing and change["new"] is not None and self.predictions.hidden:
            self.predictions.predict(change["new"])

    def _on_phase(self, change):
        if not self._syncing and change["new"] != self.cursor.step.phase:
            self.cursor.jump(change["new"])

    def _on_notation(self, change):
        if not self._syncing and change["new"] in NOTATIONS:
            self.tutorial.notation = change["new"]

    def _on_sample(self, change):
        if not self._syncing and change["new"] is not None and change["new"] != self.tutorial.sample:
            self.tutorial.sample = change["new"]

    def _on_position(self, change):
        if not self._syncing:
            self.cursor.go_to(change["new"] - 1)

    def _on_all_steps(self, change):
        if not self._syncing:
            self.cursor.path = "full" if change["new"] else "lecture"

    def _on_diagram_click(self, target):
        index = clicked_step(self.tutorial.walk, target, self.cursor.step.phase)
        if index is not None:
            self.cursor.show(index)   # a step off the lecture path opens the full path

    # -- for tests and keyboard-free scripting -------------------------------------------
    @property
    def displayed_value(self) -> str:
        """The value line the student sees, e.g. 'out_h1 = 0.593269992'."""
        step = self.cursor.step
        if step.value is None or self.predictions.hidden:
            return ""
        return f"{step.name_text} = {step.value_text}"
