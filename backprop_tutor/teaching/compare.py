"""Autograd agrees: one sample's gradients three ways, side by side.

1. the derivation (the engine's numbers, from the expressions SymPy derived);
2. central finite differences of the loss (always; a five-point stencil, accurate to about 1e-10);
3. PyTorch's ``loss.backward()`` on the same network built from the example's description,
   when PyTorch is installed (the optional extra ``pip install -e '.[compare]'``).

PyTorch is imported only when the third column is asked for, never when this module loads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.bridge import compile_network
from ..core.checks import SpecError
from ..core.engine import evaluate_step
from ..core.example_files import load_example
from ..core.quantities import Weight, gradient
from ..core.spec import Example
from .formatting import fmt
from .notation import Namer

__all__ = ["INSTALL_HINT", "AutogradUnavailable", "Comparison", "compare_gradients", "finite_differences",
           "torch_gradients"]

INSTALL_HINT = "pip install -e '.[compare]'"
# Step of the finite differences, relative to the parameter (at least this much absolute).
STEP = 1e-3


class AutogradUnavailable(Exception):
    """PyTorch cannot give this column: not installed, or no PyTorch counterpart of an activation or loss."""


# Each registered activation and loss, written with PyTorch's functions (z and a are 1-D tensors).
TORCH_ACTIVATIONS = {
    "sigmoid": lambda torch, z: torch.sigmoid(z),
    "tanh": lambda torch, z: torch.tanh(z),
    "relu": lambda torch, z: torch.relu(z),
    "linear": lambda torch, z: z,
    "softmax": lambda torch, z: torch.softmax(z, dim=0),
}
TORCH_LOSSES = {
    "half_sse": lambda torch, a, t: 0.5 * ((t - a) ** 2).sum(),
    "sse": lambda torch, a, t: ((t - a) ** 2).sum(),
    "mse": lambda torch, a, t: ((t - a) ** 2).mean(),
    "bce": lambda torch, a, t: -(t * torch.log(a) + (1 - t) * torch.log(1 - a)).sum(),
    "ce": lambda torch, a, t: -(t * torch.log(a)).sum(),
}


def _example(source) -> Example:
    example = load_example(source) if isinstance(source, str) else source
    if not isinstance(example, Example):
        raise SpecError("example", f"expected a preset name or an Example, got {type(source).__name__}")
    return example


def finite_differences(source: str | Example = "mazur", sample: int = 0) -> list:
    """∂E/∂p for every parameter by the five-point central difference of the loss, in parameter order."""
    example = _example(source)
    evaluate_step(example, sample)   # the same one-line message as everywhere for a bad sample
    forward = compile_network(example.network).forward_math
    params = example.flat_parameters()
    x, t = example.inputs[sample], example.targets[sample]

    def loss_at(i, shift):
        moved = list(params)
        moved[i] += shift
        return forward(moved, x, t)[0]

    derivatives = []
    for i, value in enumerate(params):
        h = STEP * max(1.0, abs(value))
        # Five points cancel the h² error term of the plain central difference: error of order h⁴.
        derivatives.append((8 * (loss_at(i, h) - loss_at(i, -h)) - (loss_at(i, 2 * h) - loss_at(i, -2 * h)))
                           / (12 * h))
    return derivatives


def _import_torch():
    try:
        import torch
    except ImportError:
        raise AutogradUnavailable(f"PyTorch is not installed, so there is no autograd column: {INSTALL_HINT} "
                                  "(or pip install torch) adds it.") from None
    return torch


def torch_gradients(source: str | Example = "mazur", sample: int = 0) -> list:
    """∂E/∂p for every parameter from PyTorch's ``loss.backward()``, in float64, in parameter order."""
    example = _example(source)
    evaluate_step(example, sample)
    net = example.network
    for field, name, table in [(f"activations[{i}]", a, TORCH_ACTIVATIONS) for i, a in enumerate(net.activations)] \
            + [("loss", net.loss, TORCH_LOSSES)]:
        if name not in table:
            raise AutogradUnavailable(f"{field}: {name!r} has no PyTorch counterpart in this tutorial, "
                                      "so there is no autograd column.")
    torch = _import_torch()
    tensors = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in example.flat_parameters()]
    loss = _loss_graph(torch, example, sample, tensors)
    loss.backward()
    return [float(p.grad) if p.grad is not None else 0.0 for p in tensors]


def _loss_graph(torch, example: Example, sample: int, tensors: list):
    """One sample's loss written with PyTorch's functions, from one scalar tensor per parameter."""
    net = example.network
    layout = net.parameters
    named = dict(zip(layout.keys, tensors))
    a = torch.tensor(example.inputs[sample], dtype=torch.float64)
    for l in range(1, net.depth + 1):
        W = torch.stack([torch.stack([named[Weight(l, j, k)] for k in range(net.layers[l - 1])])
                         for j in range(net.layers[l])])
        z = W @ a
        if layout.has_bias:   # a shared bias is stacked once per neuron: autograd sums its gradient
            z = z + torch.stack([named[layout.bias_key(l, j)] for j in range(net.layers[l])])
        a = TORCH_ACTIVATIONS[net.activations[l - 1]](torch, z)
    return TORCH_LOSSES[net.loss](torch, a, torch.tensor(example.targets[sample], dtype=torch.float64))


@dataclass(frozen=True)
class Comparison:
    """One sample's gradients: the derivation, finite differences and (when available) PyTorch.

    ``rows``: (parameter key, derivation, finite difference, autograd or None). ``note`` says why
    the autograd column is missing, else None.
    """

    example: Example
    sample: int
    notation: str
    rows: tuple
    note: str | None

    @property
    def has_autograd(self) -> bool:
        """Whether PyTorch's column is there."""
        return self.note is None

    def largest_difference(self, column: str = "finite_difference") -> float:
        """The largest |derivation − column|, relative to the gradient's size (or to 1e-6, for a smaller one)."""
        index = {"finite_difference": 2, "autograd": 3}[column]
        gaps = [abs(row[1] - row[index]) / max(abs(row[1]), abs(row[index]), 1e-6)
                for row in self.rows if row[index] is not None]
        return max(gaps) if gaps else math.nan

    def markdown(self) -> str:
        """The three columns side by side, with the differences, as a Markdown table."""
        namer = Namer(self.example.network, self.notation)
        torch = self.has_autograd
        head = "| gradient | derivation (SymPy) | finite difference | difference |"
        rule = "|---|---:|---:|---:|"
        if torch:
            head += " PyTorch autograd | difference |"
            rule += "---:|---:|"
        lines = [head, rule]
        for key, derived, difference, autograd in self.rows:
            line = (f"| ${namer.tex(gradient(key))}$ | {fmt(derived)} | {fmt(difference)} | "
                    f"{fmt(derived - difference, 2)} |")
            if torch:
                line += f" {fmt(autograd)} | {fmt(derived - autograd, 2)} |"
            lines.append(line)
        summary = (f"The derivation and the finite differences agree to a relative {fmt(self.largest_difference(), 2)}"
                   + (f"; the derivation and PyTorch to {fmt(self.largest_difference('autograd'), 2)}." if torch
                      else "."))
        parts = [summary, "\n".join(lines)]
        if not torch:
            parts.append(f"*{self.note}*")
        return "\n\n".join(parts)

    def _repr_markdown_(self) -> str:
        return self.markdown()


def compare_gradients(source: str | Example = "mazur", sample: int = 0, notation: str = "mazur",
                      autograd: bool = True) -> Comparison:
    """Every parameter's gradient from the derivation, finite differences and, when it can, PyTorch."""
    example = _example(source)
    Namer(example.network, notation)   # a bad notation fails here, before any work
    values = evaluate_step(example, sample)
    keys = example.network.parameters.keys
    derived = [values[gradient(k)] for k in keys]
    differences = finite_differences(example, sample)
    note, torch = None, [None] * len(keys)
    if not autograd:
        note = f"The autograd column was not asked for ({INSTALL_HINT} installs PyTorch for it)."
    else:
        try:
            torch = torch_gradients(example, sample)
        except AutogradUnavailable as reason:
            note = str(reason)
    rows = tuple(zip(keys, derived, differences, torch))
    return Comparison(example, sample, notation, rows, note)
