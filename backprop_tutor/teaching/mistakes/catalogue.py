"""The catalogue of common backpropagation mistakes: what each one is, in words.

Each :class:`Mistake` has an id, a title, what goes wrong, how to fix it and how the tutorial
computes its numbers. The computing itself is elsewhere: :mod:`.rules` says how each mistake
changes the derivation, :mod:`.variants` compiles and runs those changed derivations.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ...core.checks import SpecError

__all__ = ["MISTAKES", "Mistake", "known_mistake"]


@dataclass(frozen=True)
class Mistake:
    """One common mistake: its id, a title, what goes wrong (one sentence), how to fix it, and
    how its variant of the derivation is made (the transformation of the derived expressions)."""

    id: str
    title: str
    explanation: str
    fix: str
    transformation: str

    def markdown(self) -> str:
        """The entry as Markdown, for a notebook."""
        return (f"**{self.title}** (`{self.id}`)\n\n- *What goes wrong:* {self.explanation}\n"
                f"- *How to fix it:* {self.fix}\n- *How the tutorial computes its numbers:* {self.transformation}")

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __str__(self) -> str:
        return (f"{self.title} ({self.id})\n  What goes wrong: {self.explanation}\n"
                f"  How to fix it: {self.fix}\n  How its numbers are computed: {self.transformation}")


MISTAKES: dict = {m.id: m for m in (
    Mistake(
        "missing_activation_derivative",
        "δ without the activation's slope",
        "Each delta was taken as ∂E/∂out alone, without multiplying by ∂out/∂net, the slope of the activation "
        "(out(1 − out) for the logistic function).",
        "Multiply by the slope: δ_o1 = (out_o1 − target_o1) · out_o1(1 − out_o1), and "
        "δ_h1 = (δ_o1·w5 + δ_o2·w7) · out_h1(1 − out_h1).",
        "every ∂out/∂net factor of the derivation is replaced by 1 (and by 0 between two neurons of a softmax "
        "layer); a second form does this in the output layer only, a third in the hidden layers only.",
    ),
    Mistake(
        "activation_derivative_of_net",
        "The activation's slope computed from net instead of out",
        "The slope of the logistic function, out(1 − out), was fed the net input, giving net(1 − net): "
        "the formula already expects the neuron's output.",
        "Use the output: ∂out_o1/∂net_o1 = out_o1(1 − out_o1); a helper written as s·(1 − s) must be given "
        "out_o1, not net_o1.",
        "inside every ∂out/∂net factor, each out is replaced by the net input of the same neuron (forms for the "
        "output layer only and the hidden layers only too).",
    ),
    Mistake(
        "wrong_sign",
        "The wrong sign: climbing the error instead of descending it",
        "The step goes uphill: either ∂E/∂out was written target − out instead of out − target, or the update "
        "adds η·∂E/∂w instead of subtracting it.",
        "∂E_total/∂out_o1 = out_o1 − target_o1, which is −(target_o1 − out_o1), and w5⁺ = w5 − η·∂E_total/∂w5.",
        "either every output neuron's ∂E/∂out factor is negated, so every delta and gradient changes sign, or "
        "the update param − η·∂E/∂param becomes param + η·∂E/∂param.",
    ),
    Mistake(
        "hidden_delta_missing_sum",
        "A hidden δ without the sum over the next layer",
        "A hidden neuron reaches the error through every neuron of the next layer, so "
        "∂E_total/∂out_h1 = δ_o1·w5 + δ_o2·w7; this kept only one of those terms.",
        "Sum over every neuron of the next layer: ∂E_total/∂out_h1 = δ_o1·w5 + δ_o2·w7, then "
        "δ_h1 = ∂E_total/∂out_h1 · out_h1(1 − out_h1).",
        "in every hidden neuron's ∂E/∂out, the sum Σ δ·w keeps one term: the one through the next-layer neuron "
        "with the same number (or, in a second form, through the first one).",
    ),
    Mistake(
        "updated_weights_in_hidden_deltas",
        "Hidden deltas computed with the already-updated weights",
        "The output weights w5…w8 were updated before the hidden deltas were computed, so δ_h1 used w5⁺ and w7⁺ "
        "instead of the w5 and w7 of the forward pass (the slip behind Mazur's published error after one "
        "update).",
        "Compute every delta with the weights the forward pass used, and update the weights only after the "
        "whole backward pass.",
        "in every hidden neuron's ∂E/∂out, each weight w (the factor ∂net/∂out) is replaced by its update "
        "w − η·∂E/∂w.",
    ),
    Mistake(
        "input_instead_of_previous_output",
        "∂net/∂w taken as the neuron's own output",
        "A weight's gradient is the delta of the neuron it leads into times the output of the neuron it comes "
        "from, ∂E_total/∂w5 = δ_o1·out_h1; this used the output of the neuron it leads into, δ_o1·out_o1.",
        "Multiply the delta by the output of the previous layer: out_h1 for w5, the input i1 for w1.",
        "in every ∂net/∂w factor, the previous layer's output is replaced by the output of the neuron the weight "
        "leads into.",
    ),
    Mistake(
        "shared_bias_single_delta",
        "A shared bias trained with one neuron's delta",
        "A bias shared by a layer feeds every neuron of it, so its gradient is the sum of their deltas, "
        "∂E_total/∂b2 = δ_o1 + δ_o2; this used only one of them.",
        "Add up the deltas of every neuron the bias feeds: ∂E_total/∂b1 = δ_h1 + δ_h2.",
        "each shared bias's gradient Σ_j δ_j · 1 keeps one term: the first neuron's (or, in a second form, the "
        "last one's).",
    ),
    Mistake(
        "learning_rate_missing",
        "The learning rate left out of the update",
        "The update subtracted the whole gradient, w5 − ∂E_total/∂w5, instead of a step of η times it.",
        "w5⁺ = w5 − η·∂E_total/∂w5, with η the example's learning rate.",
        "in every update param − η·∂E/∂param, η is replaced by 1.",
    ),
)}


def known_mistake(mistake_id: str | None) -> str | None:
    """``mistake_id`` itself when it is None or in the catalogue; else a SpecError that suggests the closest id."""
    if mistake_id is None or mistake_id in MISTAKES:
        return mistake_id
    close = difflib.get_close_matches(str(mistake_id), MISTAKES, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise SpecError("mistake", f"unknown mistake {mistake_id!r}{hint}; the catalogue: {', '.join(MISTAKES)}")

