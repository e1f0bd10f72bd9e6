"""The mistakes gallery's numbers: a mistake's changed quantities, training with it, and a gradient check.

Notebook 8 and :mod:`backprop_tutor.views.mistake_plots` show these; each one runs a mistake's
main form (a :class:`~.variants.Variant`) beside the right backpropagation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...core import checks
from ...core.bridge import compile_network
from ...core.checks import SpecError
from ...core.engine import Training, evaluate_step, predict
from ...core.quantities import Delta, ErrorAfter, Net, Partial, Quantity, derivative_of, gradient
from ...core.spec import Example
from ..formatting import fmt
from ..notation import Namer
from .catalogue import MISTAKES, known_mistake
from .variants import (
    FLOAT_FAILURES,
    applicability,
    as_example,
    close,
    forms,
    mistake_step,
    sample_index,
    step_order,
)

__all__ = [
    "GRADIENT_CHECK_TOLERANCE",
    "GradientCheck",
    "MistakeTable",
    "gradient_check",
    "mistake_table",
    "train_with_mistake",
    "training_summary",
]

# A gradient check passes when backpropagation and finite differences agree to this relative error.
GRADIENT_CHECK_TOLERANCE = 1e-5


def _tex_name(namer: Namer, key: Quantity) -> str:
    # A delta (however it is keyed) shows as δ, another derivative as ∂a / ∂b, anything else by its own name.
    key = derivative_of(key) if isinstance(key, Delta) else key
    if isinstance(key, Partial) and isinstance(key.wrt, Net):
        return namer.tex(Delta(key.wrt.layer, key.wrt.neuron))
    if isinstance(key, Partial):
        return r"\partial %s / \partial %s" % (namer.tex(key.of), namer.tex(key.wrt))
    return namer.tex(key)


@dataclass(frozen=True)
class MistakeTable:
    """The first step's numbers with a mistake beside the right ones; shows as a Markdown table."""

    mistake: str
    rows: tuple          # (LaTeX name, right value, value with the mistake), only where they differ
    same: int            # how many further backward-pass quantities are the same
    note: str | None     # why the mistake does not apply, if it does not

    def markdown(self) -> str:
        """The table as Markdown (names in LaTeX, numbers at nine significant digits)."""
        if self.note is not None:
            return self.note
        lines = ["| quantity | right | with the mistake |", "|---|---:|---:|"]
        lines += [f"| ${name}$ | {fmt(right)} | {fmt(wrong)} |" for name, right, wrong in self.rows]
        tail = "The forward pass and the error before the update are the same with and without the mistake; "
        tail += (f"so are the {self.same} deltas, gradients and updated parameters not listed." if self.same else
                 "every delta, gradient and updated parameter changes.")
        return "\n".join(lines) + "\n\n" + tail

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __str__(self) -> str:
        return self.markdown()


def mistake_table(example: str | Path | Example, mistake_id: str, sample: int = 0) -> MistakeTable:
    """The quantities of the first step that the mistake changes: right value beside wrong value, and the
    error after one update (``E_total+``) with each."""
    example = as_example(example)
    note = applicability(example, mistake_id)
    if note is not None:
        return MistakeTable(mistake_id, (), 0, note)
    right = evaluate_step(example, sample)
    wrong = mistake_step(example, mistake_id, sample)
    namer = Namer(example.network, "mazur")
    keys = [key for group, key in step_order(example.network) if group not in ("net", "out", "loss")]
    rows, same = [], 0
    for key in keys:
        if close(wrong[key], right[key]):
            same += 1
        else:
            rows.append((_tex_name(namer, key), right[key], wrong[key]))
    rows.append((namer.tex(ErrorAfter()), right[ErrorAfter()], wrong[ErrorAfter()]))
    return MistakeTable(mistake_id, tuple(rows), same, None)


def train_with_mistake(example: str | Path | Example, mistake_id: str | None, epochs: int | None = None,
                       learning_rate: float | None = None) -> Training:
    """Train with a mistake's main form of the step (None: the right one), as :func:`train` does.

    Every update is the variant's compiled step; the loss is the right forward pass's (the
    mistakes are all in the backward pass or the update). In batch mode the update is the mean of
    the per-sample updates, which equals the update with the mean gradient, because every
    variant's update is affine in the gradient.
    """
    example = as_example(example)
    rate = example.learning_rate if learning_rate is None else checks.learning_rate(learning_rate)
    epochs = example.epochs if epochs is None else checks.whole_number(epochs, "epochs")
    variants = forms(example.network, known_mistake(mistake_id))
    if not variants:
        raise SpecError("mistake", applicability(example, mistake_id))
    step = variants[0].function("step")
    forward = compile_network(example.network).forward_math
    samples = list(zip(example.inputs, example.targets))
    count = len(samples)
    params = list(example.flat_parameters())
    previous, history, diverged_at = params, [], None

    def loss_of(p) -> float:
        try:
            return math.fsum(forward(p, x, t)[0] for x, t in samples) / count
        except FLOAT_FAILURES:
            return math.inf

    for epoch in range(epochs + 1):
        loss = loss_of(params)
        if not math.isfinite(loss):
            diverged_at, params = epoch, previous
            break
        history.append(loss)
        if epoch == epochs:
            break
        try:
            if example.update == "batch":
                updates = [step(params, x, t, rate)[1:] for x, t in samples]
                new = [math.fsum(column) / count for column in zip(*updates)]
            else:
                new = params
                for x, t in samples:
                    new = list(step(new, x, t, rate)[1:])
        except FLOAT_FAILURES:
            diverged_at = epoch + 1
            break
        if not all(math.isfinite(v) for v in new):
            diverged_at = epoch + 1
            break
        previous, params = params, [float(v) for v in new]
    outputs = predict(example, params)
    return Training(example, rate, epochs, np.asarray(history, dtype=float), [float(v) for v in params], outputs,
                    diverged_at)


def training_summary(right: Training, wrong: Training, mistake_id: str) -> str:
    """One or two sentences comparing a training run with a mistake against the right one."""
    title = MISTAKES[known_mistake(mistake_id)].title
    start = right.loss_history[0]
    right_text = f"the right backpropagation reaches {fmt(right.loss, 4)}"
    if wrong.diverged_at is not None:
        return (f"{title}: training diverges at epoch {wrong.diverged_at} (the error becomes inf or nan); "
                f"{right_text} after {right.epochs} epochs.")
    end = wrong.loss
    if end > start:
        verdict = "it does not learn: the error grows"
    elif end < right.loss * 0.5:
        verdict = "it still learns, even faster than the right step on this example"
    elif end <= right.loss * 2:
        verdict = "it still learns, about as well as the right step"
    elif end < start * 0.5:
        verdict = "it still learns, but more slowly"
    else:
        verdict = "it barely learns"
    return (f"{title}: after {wrong.epochs} epochs the error is {fmt(end, 4)} (it started at {fmt(start, 4)}); "
            f"{right_text}. {verdict[0].upper()}{verdict[1:]}.")


@dataclass(frozen=True)
class GradientCheck:
    """Backpropagation's gradients (with a mistake, or right) against central finite differences of the loss.

    ``rows``: (printed name, backpropagation, finite difference, relative error) per parameter.
    ``passed``: the largest relative error is below ``tolerance``.
    """

    mistake: str | None
    rows: tuple
    largest_relative_error: float
    worst: str
    tolerance: float
    epsilon: float
    tex_names: tuple = ()   # the parameters' gradients in LaTeX, for the Markdown table

    @property
    def passed(self) -> bool:
        """Whether backpropagation agrees with the finite differences."""
        return self.largest_relative_error < self.tolerance

    def sentence(self) -> str:
        """The verdict in words."""
        largest = f"the largest relative error is {fmt(self.largest_relative_error, 3)}, at {self.worst}"
        if self.passed and self.mistake is None:
            return f"The gradient check passes: {largest}, below {fmt(self.tolerance)}."
        if self.passed:
            return (f"The gradient check passes ({largest}), and yet the step is wrong: this mistake is not in "
                    "the gradients but in the update, so a gradient check cannot see it. Check one update by "
                    "hand: w5+ = w5 - eta * dE_total/dw5.")
        return f"The gradient check catches it: {largest}, far above {fmt(self.tolerance)}."

    def markdown(self) -> str:
        """The verdict and the table as Markdown."""
        lines = [self.sentence(), "", "| parameter | backpropagation | finite difference | relative error |",
                 "|---|---:|---:|---:|"]
        lines += [f"| ${tex}$ | {fmt(g)} | {fmt(fd)} | {fmt(rel, 3)} |"
                  for tex, (_, g, fd, rel) in zip(self.tex_names, self.rows)]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __str__(self) -> str:
        return self.sentence()


def gradient_check(example: str | Path | Example = "mazur", mistake_id: str | None = None, sample: int = 0,
                   epsilon: float = 1e-6) -> GradientCheck:
    """Compare the gradients of a mistake's main form (None: the right ones) with central finite differences
    (E(p + ε) − E(p − ε)) / 2ε of the loss that the right forward pass computes, parameter by parameter."""
    example = as_example(example)
    sample = sample_index(example, sample)
    epsilon = checks.learning_rate(epsilon, "epsilon")
    values = mistake_step(example, mistake_id, sample)
    forward = compile_network(example.network).forward_math
    namer = Namer(example.network, "mazur")
    params = example.flat_parameters()
    x, t = example.inputs[sample], example.targets[sample]
    rows, tex_names = [], []
    for i, key in enumerate(example.network.parameters.keys):
        plus, minus = list(params), list(params)
        plus[i] += epsilon
        minus[i] -= epsilon
        difference = (forward(plus, x, t)[0] - forward(minus, x, t)[0]) / (2 * epsilon)
        backprop = values[gradient(key)]
        relative = abs(backprop - difference) / max(abs(backprop), abs(difference), 1e-8)
        rows.append((namer.text(gradient(key)), backprop, difference, relative))
        tex_names.append(_tex_name(namer, gradient(key)))
    worst = max(rows, key=lambda row: row[3])
    return GradientCheck(mistake_id, tuple(rows), worst[3], worst[0], GRADIENT_CHECK_TOLERANCE, epsilon,
                         tuple(tex_names))
