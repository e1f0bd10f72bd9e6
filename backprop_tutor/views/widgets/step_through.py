"""Step-through: Previous / Next / Reset over the walkthrough, each step as formula, numbers, value."""

from __future__ import annotations

import html

import ipywidgets as w

from ...teaching.formatting import alternative_tex
from ...teaching.notation import NOTATIONS
from ...teaching.touches import known_values
from ...teaching.walkthrough import PHASE_TITLES, PHASES, Step
from .base import DiagramSlot, FigureImage, View, button, math_block
from .models import StepCursor

__all__ = ["StepThrough", "step_html"]

_PHASE_LABELS = {"forward": "Forward", "error": "Error", "output": "Output layer",
                 "hidden": "Hidden layer", "update": "Update"}


def step_html(step: Step, total: int) -> str:
    """The step as HTML with display maths: formula, the same with numbers, the value."""
    parts = [
        f'<div class="bt-step-header" style="color:#555">Step {step.index + 1} of {total} · '
        f"{html.escape(PHASE_TITLES[step.phase])}</div>",
        f'<h3 class="bt-step-title" style="margin:0.2em 0">{html.escape(step.title)}</h3>',
        f"<p>{html.escape(step.explanation)}</p>",
    ]
    if step.value is None:
        parts.append(math_block(f"{step.formula.tex} = {step.formula.tex_numbers}"))
    else:
        parts.append(math_block(step.formula.tex))
        parts.append(math_block(step.formula.tex_numbers))
        parts.append(math_block(f"{step.name_tex} = {step.value_tex}"))
        parts.append(f'<p class="bt-value"><b>{html.escape(step.name_text)} = {step.value_text}</b></p>')
    for alt in step.alternatives:
        parts.append(f"<p><i>{html.escape(alt.label)}:</i></p>")
        parts.append(math_block(alternative_tex(alt)))
    return "\n".join(parts)


class StepThrough(View):
    """Previous / Next / Reset and a jump to each phase; notation switch; live network diagram.

    ``phase`` opens the walkthrough at the first step of that phase instead of the start.
    """

    slot = "step-through"

    def __init__(self, tutorial="seed", phase: str | None = None, slot: str | None = None):
        super().__init__(tutorial, slot)
        self.cursor = self.own(StepCursor(self.tutorial))
        if phase is not None:
            self.cursor.jump(phase)
        self.previous_button = button("Previous", "Go back one step", "arrow-left")
        self.next_button = button("Next", "Go on to the next step", "arrow-right", "primary")
        self.reset_button = button("Reset", "Back to the first step", "undo")
        self.previous_button.on_click(lambda _: self.cursor.previous())
        self.next_button.on_click(lambda _: self.cursor.next())
        self.reset_button.on_click(lambda _: self.cursor.reset())
        self.phase_buttons = w.ToggleButtons(
            options=[(_PHASE_LABELS[p], p) for p in PHASES], description="Jump to",
            tooltips=[f"Go to the first step of: {PHASE_TITLES[p]}" for p in PHASES],
            style={"button_width": "auto"},
        )
        self.notation_buttons = w.ToggleButtons(
            options=[("Mazur (w1, net_h1)", "mazur"), ("Layered (w11_2, z1_2)", "layered")],
            value=self.tutorial.notation, description="Notation",
            tooltips=["Mazur's names, as in his article", "Layer-indexed names, as in the seed's code"],
            style={"button_width": "auto"},
        )
        self.position = w.IntSlider(min=1, max=len(self.tutorial.walk), description="Step",
                                    tooltip="Drag or use the arrow keys to move through the steps",
                                    continuous_update=False, layout=w.Layout(width="100%"))
        # A long equation scrolls inside the text column instead of running under the diagram.
        self.body = w.HTMLMath(layout=w.Layout(min_height="18em", overflow="auto"))
        self.picture = FigureImage(7.5, 4.2)
        self.diagram_slot = DiagramSlot(self.picture)
        self.diagram = None
        self._shown = None
        self._syncing = False
        self.phase_buttons.observe(self._on_phase, "value")
        self.notation_buttons.observe(self._on_notation, "value")
        self.position.observe(self._on_position, "value")
        self.follow(self.cursor, self._on_index, "index")
        self.follow(self.tutorial, self._on_walk, "walk")
        controls = w.HBox([self.previous_button, self.next_button, self.reset_button])
        self.children = [controls, self.position, self.phase_buttons, self.notation_buttons,
                         w.HBox([self.body, self.picture.box], layout=w.Layout(align_items="flex-start"))]
        self.body.layout.width = "48%"
        self.picture.box.layout.width = "52%"
        self._render()

    # -- model -> view -------------------------------------------------------------------
    def _on_walk(self, change):
        self._render()

    def _on_index(self, change):
        self._render()

    def _render(self):
        walk, index = self.tutorial.walk, self.cursor.index
        # A new walkthrough can move the cursor too: both observers fire, one drawing is enough.
        if self._shown is not None and self._shown[0] is walk and self._shown[1] == index:
            return
        self._shown = (walk, index)
        self.diagram = self.diagram_slot.diagram_for(self.tutorial.example.network, self.tutorial.notation)
        step = walk[index]
        self._syncing = True
        try:
            self.position.max = len(walk)  # the slider counts steps from 1, like the header
            self.position.value = index + 1
            self.phase_buttons.value = step.phase
            self.notation_buttons.value = self.tutorial.notation
        finally:
            self._syncing = False
        self.previous_button.disabled = self.cursor.at_start
        self.next_button.disabled = self.cursor.at_end
        self.body.value = step_html(step, len(walk))
        example = self.tutorial.example
        self.diagram.highlight_step(step, known_values(walk, index), weights=example.weights, biases=example.biases)
        self.picture.set_alt(self.diagram.text_alternative())
        self.picture.refresh()

    # -- view -> model -------------------------------------------------------------------
    def _on_phase(self, change):
        if not self._syncing and change["new"] != self.cursor.step.phase:
            self.cursor.jump(change["new"])

    def _on_notation(self, change):
        if not self._syncing and change["new"] in NOTATIONS:
            self.tutorial.notation = change["new"]

    def _on_position(self, change):
        if not self._syncing:
            self.cursor.index = change["new"] - 1

    # -- for tests and keyboard-free scripting -------------------------------------------
    @property
    def displayed_value(self) -> str:
        """The value line the student sees, e.g. 'out_h1 = 0.593269992'."""
        step = self.cursor.step
        return f"{step.name_text} = {step.value_text}" if step.value is not None else ""
