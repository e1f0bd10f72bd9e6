"""Chain-rule explorer: pick a weight or bias, see every factor of ∂E/∂p, their product and the update."""

from __future__ import annotations

import html

import ipywidgets as w

from ...core.quantities import Updated, Weight
from ...core.quantities import gradient as gradient_key
from ...teaching.formatting import aligned_tex, alternative_tex, rhs
from ...teaching.notation import Namer, quantity
from .base import DiagramSlot, View, math_block, spoken, text_column, tooltip_on_label, wide_block
from .svg_diagram import SvgFigure

__all__ = ["ChainExplorer", "chain_html"]


def chain_html(walk, param) -> str:
    """The chain rule for one parameter as HTML: factors, product, delta rule, update."""
    gradient = walk.step_for(gradient_key(param))
    rows = []
    for name_tex, _, form, value in gradient.factors:
        rows.append(
            "<tr>"
            f"<td>${name_tex}$</td>"
            f"<td>${rhs(form.tex)}$</td>"
            f"<td>${rhs(form.tex_numbers)}$</td>"
            f'<td class="bt-factor-value" style="text-align:right"><b>{value:.9g}</b></td>'
            "</tr>"
        )
    parts = [
        f"<h3 style='margin:0.2em 0'>{html.escape(gradient.title)}</h3>",
        f"<p>{html.escape(gradient.explanation)}</p>",
        wide_block("<table class='bt-factors'><thead><tr><th>factor</th><th>formula</th><th>with numbers</th>"
                   "<th>value</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"),
        "<p>Their product:</p>",
        math_block(aligned_tex(gradient.formula, gradient.value_tex)),
        spoken(f"{gradient.name_text} = {gradient.value_text}", "bt-value"),
    ]
    for alt in gradient.alternatives:
        parts += [f"<p><i>{html.escape(alt.label)}:</i></p>", math_block(alternative_tex(alt, gradient.value_tex))]
    try:
        update = walk.step_for(Updated(param))
    except KeyError:
        parts.append("<p><i>This parameter is not trained in this example (its biases stay fixed), "
                     "so it has a gradient but no update.</i></p>")
    else:
        parts += ["<p><b>Update</b> (gradient descent):</p>", math_block(aligned_tex(update.formula, update.value_tex)),
                  spoken(f"{update.name_text} = {update.value_text}", "bt-update-value")]
    return "\n".join(parts)


class ChainExplorer(View):
    """Choose any weight or bias; its chain of factors, product and update for the current parameters.

    Clicking a weight or bias on the diagram chooses it; clicking a neuron chooses the first
    weight into it (its chain of factors runs through that neuron).
    """

    slot = "chain-explorer"

    def __init__(self, tutorial="mazur", parameter=None, slot: str | None = None):
        super().__init__(tutorial, slot)
        self.choice = w.Dropdown(description="Parameter", tooltip="The weight or bias whose gradient to explain")
        tooltip_on_label(self.choice)
        self.body = text_column(w.HTMLMath(layout=w.Layout(overflow="auto")))  # each wide block scrolls on its own
        self.picture = SvgFigure(6.5, 3.8, action="explain its gradient")
        self.diagram_slot = DiagramSlot(self.picture, min_font=self.picture.min_font, sparse=self.picture.projector)
        self.picture.on_click(self._on_diagram_click)
        self.diagram = None
        self._shown = None
        self._fill_choices(parameter)
        self.choice.observe(lambda _: self._render(), "value")
        self.follow(self.tutorial, self._on_walk, "walk")
        self.children = [self.choice, w.HBox([self.body, self.picture.box], layout=w.Layout(align_items="flex-start"))]
        self.picture.box.layout.width = f"{self.picture.column}%"
        self.body.layout.width = f"{100 - self.picture.column}%"
        self._render()

    def _fill_choices(self, keep=None):
        params = self.tutorial.walk.parameters
        network = self.tutorial.example.network
        namer = Namer(network, self.tutorial.notation)
        keep = quantity(keep, network) if keep is not None else None   # "w5" or a key
        current = keep if keep in params else self.choice.value
        self.choice.options = [(namer.text(p), p) for p in params]
        self.choice.value = current if current in params else params[0]

    def _on_diagram_click(self, target):
        param = target if target in self.tutorial.walk.parameters else Weight(target[0], target[1], 0)
        if param in self.tutorial.walk.parameters:
            self.choice.value = param

    def _on_walk(self, change):
        self._fill_choices()
        self._render()

    def _render(self):
        if self.choice.value is None:
            return
        walk, param = self.tutorial.walk, self.choice.value
        # New options and a new walkthrough both ask for a redraw: one is enough.
        if self._shown is not None and self._shown[0] is walk and self._shown[1] == param:
            return
        self._shown = (walk, param)
        self.diagram = self.diagram_slot.diagram_for(self.tutorial.example.network, self.tutorial.notation)
        step = walk.step_for(gradient_key(param))
        example = self.tutorial.example
        self.body.value = chain_html(walk, param)
        self.diagram.highlight_step(step, walk.values.values, weights=example.weights, biases=example.biases)
        self.picture.set_alt(self.diagram.text_alternative())
        self.picture.refresh()
        self.announce(f"Chain rule for {step.name_text} = {step.value_text}.")
