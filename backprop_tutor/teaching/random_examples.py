"""Fresh practice networks with "nice" numbers: the classic example's shape, new values each seed.

A practice example must be workable by hand and must not give an answer away: every number has
two decimals, no weight is zero, no output already equals its target, and no delta or gradient
is so small that it rounds to zero at the precision a learner writes. The same seed gives the
same example on every machine (Python's own Mersenne Twister, no NumPy generator).
"""

from __future__ import annotations

import random

from ..core.checks import SpecError, whole_number
from ..core.engine import StepValues, evaluate_step
from ..core.quantities import Out, Partial, Target, TotalError
from ..core.spec import Example, Network

__all__ = ["random_example"]

# Smallest |delta| or |gradient| a practice example may have: it must survive four decimals.
_SMALLEST = 1e-3
# Smallest gap between an output and its target.
_GAP = 0.05


def _two_decimals(rng: random.Random, low: float, high: float, avoid_zero: bool = False) -> float:
    while True:
        value = round(rng.uniform(low, high), 2)
        if not (avoid_zero and abs(value) < 0.05):
            return value


def _draw(rng: random.Random, network: Network, learning_rate: float, name: str) -> Example:
    sizes = network.layers
    weights = [[[_two_decimals(rng, -0.9, 0.9, avoid_zero=True) for _ in range(sizes[l])]
                for _ in range(sizes[l + 1])] for l in range(network.depth)]
    rows = network.parameters.bias_rows([0.0] * network.depth if network.parameters.shared
                                        else [[0.0] * n for n in sizes[1:]])
    biases = network.parameters.biases_from_rows([[_two_decimals(rng, 0.1, 0.9) for _ in row] for row in rows])
    inputs = [[_two_decimals(rng, 0.05, 0.95) for _ in range(sizes[0])]]
    targets = [[_two_decimals(rng, 0.01, 0.99) for _ in range(sizes[-1])]]
    return Example(network, weights, biases, inputs, targets, learning_rate=learning_rate, epochs=1000,
                   name=name, description="A practice network with fresh numbers.")


def _workable(example: Example, step: StepValues) -> bool:
    """No output at its target, and every delta and gradient big enough to write down."""
    network = example.network
    L = network.depth
    if any(abs(step[Out(L, j)] - step[Target(j)]) < _GAP for j in range(network.layers[-1])):
        return False
    derivatives = [v for k, v in step.values.items()
                   if isinstance(k, Partial) and isinstance(k.of, TotalError)]
    return all(abs(v) >= _SMALLEST for v in derivatives)


def random_example(seed: int, sizes: tuple = (2, 2, 2), activation: str = "sigmoid", loss: str = "half_sse",
                   bias: str = "shared", learning_rate: float = 0.5) -> Example:
    """A practice network like the classic one, with new two-decimal numbers drawn from ``seed``."""
    seed = whole_number(seed, "seed")
    network = Network(tuple(sizes), (activation,) * (len(sizes) - 1), loss=loss, bias=bias)
    rng = random.Random(seed)
    for _ in range(200):
        example = _draw(rng, network, learning_rate, name=f"practice network {seed}")
        if _workable(example, evaluate_step(example)):
            return example
    raise SpecError("seed", f"no workable practice example found for seed {seed} with these settings")
