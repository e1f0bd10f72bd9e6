"""The variants of the derivation a mistake makes: compiled by the bridge, run on one sample, compared.

A :class:`Variant` is one form of a mistake (see :mod:`.rules`) on one network: its expressions,
compiled by the same bridge as the right backpropagation, never a second hand-written one.
:func:`mistake_step` runs a mistake's main form on one sample; :func:`applicability` says when a
mistake cannot change an example's numbers; :func:`step_order` and :func:`close` are how the
checker and the gallery walk through a step and compare two of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ...core import checks, registry
from ...core.bridge import compile_assignments, compile_network
from ...core.checks import SpecError
from ...core.engine import StepValues
from ...core.example_files import load_example
from ...core.quantities import (
    Delta,
    ErrorAfter,
    LearningRate,
    Net,
    Out,
    Partial,
    TotalError,
    Updated,
    Weight,
    gradient,
    renamed,
)
from ...core.spec import Example, Network
from ...core.symbolic import Derivation, derive, symbol_for
from .catalogue import MISTAKES, known_mistake
from .rules import FORMS, Rules, assemble, has_hidden

__all__ = [
    "FLOAT_FAILURES",
    "Variant",
    "applicability",
    "as_example",
    "close",
    "forms",
    "mistake_step",
    "run_step",
    "sample_index",
    "step_order",
]

# A student's number is right when it is this close to the expected one.
REL_TOL, ABS_TOL = 1e-6, 1e-9
# What float arithmetic raises on a step that blows up: the step's numbers become inf or nan instead.
FLOAT_FAILURES = (OverflowError, ValueError, ZeroDivisionError)


@dataclass(frozen=True)
class Variant:
    """One form of a mistake on one network: its expressions and, compiled on first use, its numbers."""

    mistake: str | None
    label: str
    derivation: Derivation
    pairs: tuple
    updates: dict
    same: bool                                  # the expressions are the right ones
    _compiled: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def keys(self) -> list:
        """The quantities ``evaluate`` gives, in its order: forward, error, deltas, gradients, updates."""
        d, net = self.derivation, self.derivation.network
        keys: list = []
        for l in range(1, net.depth + 1):
            keys += [Net(l, j) for j in range(net.layers[l])] + [Out(l, j) for j in range(net.layers[l])]
        keys.append(TotalError())
        keys += [Partial(TotalError(), Net(l, j)) for l in range(net.depth, 0, -1) for j in range(net.layers[l])]
        keys += [gradient(p) for p in d.params] + [Updated(p) for p in d.params]
        return keys

    def _updated(self) -> list:
        # A parameter the derivation does not update (a bias when train_bias is off) stays itself.
        return [self.updates.get(p, symbol_for(p)) for p in self.derivation.params]

    def function(self, kind: str) -> Callable:
        """``evaluate`` / ``evaluate_numpy``: every key's value; ``step``: (E, *updated parameters)."""
        if kind not in self._compiled:
            d = self.derivation
            if kind == "step":
                outputs, backend = [symbol_for(TotalError())] + self._updated(), "math"
            else:
                outputs = [symbol_for(renamed(k)) for k in self.keys[: -len(d.params)]] + self._updated()
                backend = "numpy" if kind == "evaluate_numpy" else "math"
            self._compiled[kind] = compile_assignments(d, list(self.pairs), outputs, backend)
        return self._compiled[kind]


@lru_cache(maxsize=64)
def _variants(network: Network, generation: int, mistake_id: str | None) -> tuple:
    # generation is the registry's: registering an activation or loss anew makes the cached variants stale.
    d = derive(network)
    right_pairs, right_updates = assemble(d, Rules())
    if mistake_id is None:
        return (Variant(None, "right", d, right_pairs, right_updates, True),)
    variants = []
    for label, rules, exists in FORMS[mistake_id]:
        if exists is not None and not exists(network):
            continue
        pairs, updates = assemble(d, rules)
        same = pairs == right_pairs and updates == right_updates
        variants.append(Variant(mistake_id, label, d, pairs, updates, same))
    return tuple(variants)


def forms(network: Network, mistake_id: str | None) -> tuple:
    """The forms of a mistake (None: the right backpropagation) that exist for a network, main form first."""
    return _variants(network, registry.generation(), mistake_id)


def as_example(example: str | Path | Example) -> Example:
    """An Example from a preset name, a worked-example file or an Example; else a SpecError."""
    if isinstance(example, Example):
        return example
    if isinstance(example, (str, Path)):
        return load_example(example)
    raise SpecError("example", "expected a preset name, a worked-example file or an Example, "
                               f"got {checks.shown(example)}")


def sample_index(example: Example, sample: int) -> int:
    """``sample`` when it is a sample index of the example; else a SpecError."""
    if isinstance(sample, bool) or not isinstance(sample, int) or not 0 <= sample < example.n_samples:
        raise SpecError("sample", f"expected a sample index from 0 to {example.n_samples - 1}, got {sample!r}")
    return sample


def _error_after(example: Example, updated: list, x, t) -> float:
    try:
        return float(compile_network(example.network).forward_math(updated, x, t)[0])
    except FLOAT_FAILURES:
        return math.inf


def run_step(variant: Variant, example: Example, sample: int) -> StepValues:
    """One step of a variant on one sample, with the error after its update."""
    d = variant.derivation
    params = example.flat_parameters()
    x, t = example.inputs[sample], example.targets[sample]
    try:
        numbers = [float(v) for v in variant.function("evaluate")(params, x, t, example.learning_rate)]
    except FLOAT_FAILURES:
        # NumPy carries on with inf and nan where math raises: a diverging mistake still has numbers.
        with np.errstate(all="ignore"):
            numbers = variant.function("evaluate_numpy")(np.asarray(params, dtype=float), np.asarray(x, dtype=float),
                                                         np.asarray(t, dtype=float), example.learning_rate)
            numbers = [float(v) for v in numbers]
    values = dict(zip(variant.keys, numbers))
    values.update(zip(d.input_keys, x))
    values.update(zip(d.target_keys, t))
    values.update(zip(d.params, params))
    values[LearningRate()] = example.learning_rate
    values[ErrorAfter()] = _error_after(example, [values[Updated(p)] for p in d.params], x, t)
    return StepValues(example, sample, values)


def mistake_step(example: str | Path | Example, mistake_id: str | None, sample: int = 0) -> StepValues:
    """One step on one sample with a mistake's main form: every net input, output, delta, gradient,
    updated parameter and the error after the update (``ErrorAfter()``), as :func:`evaluate_step` gives.

    ``mistake_id`` None re-assembles the right backpropagation from the same rules.
    """
    example = as_example(example)
    variants = forms(example.network, known_mistake(mistake_id))
    if not variants:
        raise SpecError("mistake", applicability(example, mistake_id))
    return run_step(variants[0], example, sample_index(example, sample))


def applicability(example: str | Path | Example, mistake_id: str) -> str | None:
    """None when a mistake changes this example's numbers; else the sentence that says why it does not."""
    example = as_example(example)
    known_mistake(mistake_id)
    net = example.network
    title = MISTAKES[mistake_id].title
    if mistake_id in ("hidden_delta_missing_sum", "updated_weights_in_hidden_deltas") and not has_hidden(net):
        return f"{title}: does not apply, this network has no hidden layer."
    if mistake_id == "shared_bias_single_delta" and net.bias != "shared":
        kind = "each neuron has its own bias" if net.bias == "per_neuron" else "it has no biases"
        return f"{title}: does not apply, this network has no shared bias ({kind})."
    if mistake_id == "learning_rate_missing" and example.learning_rate == 1:
        return f"{title}: makes no difference here, the learning rate is 1."
    if all(v.same for v in forms(net, mistake_id)):
        return f"{title}: makes no difference on this network, its expressions are the same as the right ones."
    return None


def step_order(network: Network) -> list:
    """(result key, quantity key) in the order the checker reports them: forward, error, deltas from the
    output layer back, then gradients and updated parameters from the output layer back."""
    L, sizes, layout = network.depth, network.layers, network.parameters
    order: list = []
    for l in range(1, L + 1):
        order += [("net", Net(l, j)) for j in range(sizes[l])] + [("out", Out(l, j)) for j in range(sizes[l])]
    order.append(("loss", TotalError()))
    order += [("delta", Delta(l, j)) for l in range(L, 0, -1) for j in range(sizes[l])]
    for wrap, (weights, biases) in ((gradient, ("grad_weights", "grad_biases")), (Updated, ("weights", "biases"))):
        for l in range(L, 0, -1):
            order += [(weights if isinstance(p, Weight) else biases, wrap(p)) for p in layout.layer_keys(l)]
    return order


def close(got: float, expected: float) -> bool:
    """Whether two numbers of a step are the same, to 1e-6 relative or 1e-9 absolute."""
    return math.isclose(got, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL)
