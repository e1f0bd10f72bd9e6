"""Matrix view: pick an entry of a weight-gradient matrix ∂E/∂W, see where it sits and the scalar step behind it."""

from __future__ import annotations

import html

import ipywidgets as w

from ...core.quantities import Weight, gradient
from ...teaching.formatting import aligned_tex, alternative_tex
from ...teaching.matrix_form import matrix_form
from ...teaching.matrix_text import equation_tex
from ...teaching.notation import Namer, quantity
from .base import View, math_block, tooltip_on_label

__all__ = ["MatrixView", "entry_html"]


def entry_html(walk, weight: Weight) -> str:
    """The gradient matrix of a weight's layer with its entry boxed, then that entry's scalar step, as HTML."""
    network = walk.example.network
    namer = Namer(network, walk.notation)
    l, j, k = weight.layer, weight.target, weight.source
    form = matrix_form(walk)
    matrices = form.layer(l + 1)   # numbered as shown: the inputs are layer 1
    equation = next(e for e in matrices.equations if e.lhs is matrices.weight_gradients)
    step = walk.step_for(gradient(weight))
    where = (f"Row {j + 1}, column {k + 1} of the gradient matrix of layer {l + 1}: the delta of "
             f"{namer.neuron(l, j)} (row {j + 1} of the column) times the output of {namer.neuron(l - 1, k)} "
             f"(column {k + 1} of the row).")
    parts = [f"<p>{html.escape(where)}</p>",
             math_block(equation_tex(equation, namer, highlight=(j, k), term_highlights=((j, 0), (0, k)))),
             f"<h4 style='margin:0.4em 0'>The scalar step: {html.escape(step.title)}</h4>",
             f"<p>{html.escape(step.explanation)}</p>",
             math_block(aligned_tex(step.formula, step.value_tex))]
    for alt in step.alternatives:
        parts += [f"<p><i>{html.escape(alt.label)}:</i></p>", math_block(alternative_tex(alt, step.value_tex))]
    return "\n".join(parts)


class MatrixView(View):
    """Choose an entry of ∂E/∂W in any layer: the matrix with that entry boxed, and the scalar step behind it."""

    slot = "matrix-view"

    def __init__(self, tutorial="mazur", entry=None, slot: str | None = None):
        super().__init__(tutorial, slot)
        self.choice = w.Dropdown(description="Entry", layout=w.Layout(width="auto"),
                                 tooltip="A weight's gradient: where it sits in its layer's gradient matrix, "
                                         "and the scalar step that computed it")
        tooltip_on_label(self.choice)
        self.body = w.HTMLMath(layout=w.Layout(overflow="auto"))   # wide matrices scroll in their column
        self._shown = None
        self._fill_choices(entry)
        self.choice.observe(lambda _: self._render(), "value")
        self.follow(self.tutorial, self._on_walk, "walk")
        self.children = [self.choice, self.body]
        self._render()

    def _fill_choices(self, keep=None):
        network = self.tutorial.example.network
        namer = Namer(network, self.tutorial.notation)
        weights = [p for l in range(network.depth, 0, -1) for p in network.parameters.layer_keys(l)
                   if isinstance(p, Weight)]
        keep = quantity(keep, network) if keep is not None else None   # "w5" or a key
        current = keep if keep in weights else self.choice.value
        self.choice.options = [(f"{namer.text(gradient(p))}: row {p.target + 1}, column {p.source + 1} of the "
                                f"layer {p.layer + 1} gradients", p) for p in weights]
        self.choice.value = current if current in weights else weights[0]

    def _on_walk(self, change):
        self._fill_choices()
        self._render()

    def _render(self):
        walk, weight = self.tutorial.walk, self.choice.value
        if weight is None or (self._shown is not None and self._shown[0] is walk and self._shown[1] == weight):
            return
        self._shown = (walk, weight)
        self.body.value = entry_html(walk, weight)
