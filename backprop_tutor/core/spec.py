"""Network description: layer sizes, activations, loss, bias mode, parameters and data.

This layer imports only the standard library. Every value is checked when an object is
built, and every problem is one line that starts with the field it is about, so a view can
show the message beside the control that caused it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from numbers import Integral, Real
from typing import Any

__all__ = [
    "ACTIVATIONS",
    "BIAS_MODES",
    "LOSSES",
    "UPDATES",
    "Example",
    "Network",
    "SpecError",
    "random_parameters",
]

ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear", "softmax")
LOSSES = ("half_sse", "sse", "mse", "bce", "ce")
BIAS_MODES = ("shared", "per_neuron", "none")
UPDATES = ("online", "batch")

# Losses that take a logarithm of the outputs need outputs strictly inside (0, 1). bce treats
# each output as its own yes/no probability (sigmoid); softmax outputs share one distribution,
# which is what ce is for (bce on softmax would also leave an uncancelled 1/(1 - out)).
_PROBABILITY_LOSSES = ("bce", "ce")
_PROBABILITY_OUTPUTS = {"bce": ("sigmoid",), "ce": ("sigmoid", "softmax")}
# Symbolic derivation is per scalar; past this the formulas stop being readable anyway.
MAX_PARAMETERS = 2000


class SpecError(ValueError):
    """A one-line error about one field of a network or worked example."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(f"{field_name}: {message}")


def _number(value: Any, name: str) -> float:
    # bool is a subclass of int, but True is not a weight.
    if isinstance(value, bool) or not isinstance(value, Real):
        raise SpecError(name, f"expected a number, got {type(value).__name__} {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise SpecError(name, f"expected a finite number, got {number}")
    return number


def _as_list(value: Any, name: str) -> list:
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()  # NumPy arrays, without importing NumPy here
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise SpecError(name, f"expected a list, got {type(value).__name__} {value!r}")
    return list(value)


def _vector(value: Any, name: str, length: int, what: str) -> tuple[float, ...]:
    items = _as_list(value, name)
    if len(items) != length:
        raise SpecError(name, f"expected {length} numbers ({what}), got {len(items)}")
    return tuple(_number(item, f"{name}[{i}]") for i, item in enumerate(items))


def _matrix(value: Any, name: str, rows: int, cols: int, row_what: str, col_what: str):
    items = _as_list(value, name)
    if len(items) != rows:
        raise SpecError(name, f"expected {rows} rows ({row_what}), got {len(items)}")
    return tuple(_vector(row, f"{name}[{i}]", cols, col_what) for i, row in enumerate(items))


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise SpecError(name, f"expected one of {', '.join(choices)}; got {value!r}")
    return value


@dataclass(frozen=True)
class Network:
    """The shape of a network: layer sizes (inputs first), activations, loss and bias mode."""

    layers: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "half_sse"
    bias: str = "shared"
    train_bias: bool = True

    def __post_init__(self):
        layers = _as_list(self.layers, "layers")
        if len(layers) < 2:
            raise SpecError("layers", f"expected at least 2 layer sizes (inputs and outputs), got {len(layers)}")
        for i, size in enumerate(layers):
            if isinstance(size, bool) or not isinstance(size, Integral) or size < 1:
                raise SpecError(f"layers[{i}]", f"expected a whole number of neurons >= 1, got {size!r}")
        activations = _as_list(self.activations, "activations")
        if len(activations) != len(layers) - 1:
            raise SpecError(
                "activations",
                f"expected {len(layers) - 1} names (one per non-input layer), got {len(activations)}",
            )
        for i, name in enumerate(activations):
            _choice(name, f"activations[{i}]", ACTIVATIONS)
            if name == "softmax" and i != len(activations) - 1:
                raise SpecError(f"activations[{i}]", "softmax is only allowed on the output layer")
        _choice(self.loss, "loss", LOSSES)
        _choice(self.bias, "bias", BIAS_MODES)
        if not isinstance(self.train_bias, bool):
            raise SpecError("train_bias", f"expected true or false, got {self.train_bias!r}")
        allowed = _PROBABILITY_OUTPUTS.get(self.loss)
        if allowed and activations[-1] not in allowed:
            raise SpecError(
                "loss",
                f"{self.loss!r} takes the log of the outputs, so the output layer needs "
                f"{' or '.join(allowed)}, not {activations[-1]!r}",
            )
        object.__setattr__(self, "layers", tuple(int(size) for size in layers))
        object.__setattr__(self, "activations", tuple(activations))
        if self.parameter_count > MAX_PARAMETERS:
            raise SpecError(
                "layers",
                f"{self.parameter_count} parameters is more than the {MAX_PARAMETERS} "
                "this tutorial derives symbolically",
            )

    @property
    def depth(self) -> int:
        """Number of weight layers (the input layer does not count)."""
        return len(self.layers) - 1

    @property
    def parameter_count(self) -> int:
        """Number of weights and biases."""
        weights = sum(a * b for a, b in zip(self.layers, self.layers[1:]))
        if self.bias == "shared":
            return weights + self.depth
        if self.bias == "per_neuron":
            return weights + sum(self.layers[1:])
        return weights


@dataclass(frozen=True)
class Example:
    """A worked example: a network, its initial parameters, a dataset and training settings.

    ``weights[l][j][k]`` connects neuron k of layer l to neuron j of layer l + 1.
    ``biases[l]`` is one number (``shared``) or one per neuron (``per_neuron``) for layer l + 1;
    it is empty for ``none``. ``inputs`` and ``targets`` hold one row per sample.
    """

    network: Network
    weights: tuple
    biases: tuple
    inputs: tuple
    targets: tuple
    learning_rate: float = 0.5
    epochs: int = 1000
    update: str = "online"
    name: str = "example"
    description: str = field(default="", compare=False)

    def __post_init__(self):
        net = self.network
        if not isinstance(net, Network):
            raise SpecError("network", f"expected a Network, got {type(net).__name__}")
        sizes = net.layers
        weights = _as_list(self.weights, "weights")
        if len(weights) != net.depth:
            raise SpecError("weights", f"expected {net.depth} matrices (one per non-input layer), got {len(weights)}")
        weights = tuple(
            _matrix(w, f"weights[{l}]", sizes[l + 1], sizes[l],
                    f"one per neuron of layer {l + 1}", f"one per neuron of layer {l}")
            for l, w in enumerate(weights)
        )
        biases = self._check_biases(net)
        rows = _as_list(self.inputs, "inputs")
        if not rows:
            raise SpecError("inputs", "expected at least one sample")
        inputs = _matrix(rows, "inputs", len(rows), sizes[0], "one per sample", "one per input neuron")
        targets = _matrix(self.targets, "targets", len(rows), sizes[-1],
                          "one per sample, as many as inputs", "one per output neuron")
        if net.loss in _PROBABILITY_LOSSES:
            for i, row in enumerate(targets):
                for j, value in enumerate(row):
                    if not 0.0 <= value <= 1.0:
                        raise SpecError(f"targets[{i}][{j}]", f"{net.loss!r} needs targets between 0 and 1, got {value}")
        rate = _number(self.learning_rate, "learning_rate")
        if rate <= 0:
            raise SpecError("learning_rate", f"expected a positive number, got {rate}")
        epochs = self.epochs
        if isinstance(epochs, bool) or not isinstance(epochs, Integral) or epochs < 0:
            raise SpecError("epochs", f"expected a whole number >= 0, got {epochs!r}")
        _choice(self.update, "update", UPDATES)
        if not isinstance(self.name, str) or not self.name.strip():
            raise SpecError("name", f"expected a non-empty text, got {self.name!r}")
        if not isinstance(self.description, str):
            raise SpecError("description", f"expected text, got {type(self.description).__name__}")
        for attr, value in (("weights", weights), ("biases", biases), ("inputs", inputs),
                            ("targets", targets), ("learning_rate", rate), ("epochs", int(epochs))):
            object.__setattr__(self, attr, value)

    def _check_biases(self, net: Network) -> tuple:
        if net.bias == "none":
            if self.biases not in (None, (), []):
                raise SpecError("biases", "expected no biases for bias mode 'none'")
            return ()
        if self.biases is None:
            raise SpecError("biases", f"missing: bias mode {net.bias!r} needs one entry per non-input layer")
        biases = _as_list(self.biases, "biases")
        if len(biases) != net.depth:
            raise SpecError("biases", f"expected {net.depth} entries (one per non-input layer), got {len(biases)}")
        if net.bias == "shared":
            return tuple(_number(b, f"biases[{l}]") for l, b in enumerate(biases))
        return tuple(
            _vector(b, f"biases[{l}]", net.layers[l + 1], f"one per neuron of layer {l + 1}")
            for l, b in enumerate(biases)
        )

    @property
    def n_samples(self) -> int:
        """Number of rows in the dataset."""
        return len(self.inputs)

    def replace(self, **changes) -> "Example":
        """A copy with some fields changed; the copy is validated like a new example."""
        return replace(self, **changes)


def random_parameters(network: Network, seed: int = 0, scale: float | None = None):
    """Small random (weights, biases) for a network, reproducible from ``seed``."""
    rng = random.Random(seed)
    weights, biases = [], []
    for l in range(network.depth):
        fan_in, fan_out = network.layers[l], network.layers[l + 1]
        # Glorot-style spread keeps sigmoid and tanh layers away from saturation.
        spread = scale if scale is not None else math.sqrt(6.0 / (fan_in + fan_out))
        weights.append([[round(rng.uniform(-spread, spread), 4) for _ in range(fan_in)]
                        for _ in range(fan_out)])
        if network.bias == "shared":
            biases.append(round(rng.uniform(-0.5, 0.5), 4))
        elif network.bias == "per_neuron":
            biases.append([round(rng.uniform(-0.5, 0.5), 4) for _ in range(fan_out)])
    return weights, biases
