"""Network description: layer sizes, activations, loss, bias mode, parameters and data.

Every value is checked when an object is built, and every problem is one line that starts with
the field it is about, so a view can show the message beside the control that caused it. Names
of activations and losses, and which pair with which, come from the registry; numbers are
checked by :mod:`checks`; the order and layout of the parameters belong to :mod:`parameters`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from . import registry
from .checks import SpecError, as_list, choice, learning_rate, matrix, whole_number
from .parameters import BIAS_MODES, ParameterLayout

__all__ = [
    "UPDATES",
    "Example",
    "Network",
    "SpecError",
    "random_parameters",
]

UPDATES = ("online", "batch")
# Symbolic derivation is per scalar; past this the formulas stop being readable anyway.
MAX_PARAMETERS = 2000


@dataclass(frozen=True)
class Network:
    """The shape of a network: layer sizes (inputs first), activations, loss and bias mode."""

    layers: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "half_sse"
    bias: str = "shared"
    train_bias: bool = True

    def __post_init__(self):
        layers = as_list(self.layers, "layers")
        if len(layers) < 2:
            raise SpecError("layers", f"expected at least 2 layer sizes (inputs and outputs), got {len(layers)}")
        for i, size in enumerate(layers):
            whole_number(size, f"layers[{i}]", minimum=1)
        activations = as_list(self.activations, "activations")
        if len(activations) != len(layers) - 1:
            raise SpecError(
                "activations",
                f"expected {len(layers) - 1} names (one per non-input layer), got {len(activations)}",
            )
        for i, name in enumerate(activations):
            choice(name, f"activations[{i}]", tuple(registry.ACTIVATIONS))
            if registry.ACTIVATIONS[name].coupled and i != len(activations) - 1:
                raise SpecError(f"activations[{i}]", f"{name} is only allowed on the output layer")
        choice(self.loss, "loss", tuple(registry.LOSSES))
        choice(self.bias, "bias", BIAS_MODES)
        if not isinstance(self.train_bias, bool):
            raise SpecError("train_bias", f"expected true or false, got {self.train_bias!r}")
        allowed = registry.LOSSES[self.loss].outputs
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

    @cached_property
    def parameters(self) -> ParameterLayout:
        """The order and layout of the weights and biases (the one owner of the bias mode)."""
        return ParameterLayout(self.layers, self.bias)

    @property
    def parameter_count(self) -> int:
        """Number of weights and biases."""
        return len(self.parameters)


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
        weights = as_list(self.weights, "weights")
        if len(weights) != net.depth:
            raise SpecError("weights", f"expected {net.depth} matrices (one per non-input layer), got {len(weights)}")
        weights = tuple(
            matrix(w, f"weights[{l}]", sizes[l + 1], sizes[l],
                    f"one per neuron of layer {l + 1}", f"one per neuron of layer {l}")
            for l, w in enumerate(weights)
        )
        biases = net.parameters.check_biases(self.biases)
        rows = as_list(self.inputs, "inputs")
        if not rows:
            raise SpecError("inputs", "expected at least one sample")
        inputs = matrix(rows, "inputs", len(rows), sizes[0], "one per sample", "one per input neuron")
        targets = matrix(self.targets, "targets", len(rows), sizes[-1],
                          "one per sample, as many as inputs", "one per output neuron")
        if registry.LOSSES[net.loss].unit_targets:
            for i, row in enumerate(targets):
                for j, value in enumerate(row):
                    if not 0.0 <= value <= 1.0:
                        raise SpecError(f"targets[{i}][{j}]",
                                        f"{net.loss!r} needs targets between 0 and 1, got {value}")
        rate = learning_rate(self.learning_rate)
        epochs = whole_number(self.epochs, "epochs")
        choice(self.update, "update", UPDATES)
        if not isinstance(self.name, str) or not self.name.strip():
            raise SpecError("name", f"expected a non-empty text, got {self.name!r}")
        if not isinstance(self.description, str):
            raise SpecError("description", f"expected text, got {type(self.description).__name__}")
        for attr, value in (("weights", weights), ("biases", biases), ("inputs", inputs),
                            ("targets", targets), ("learning_rate", rate), ("epochs", epochs)):
            object.__setattr__(self, attr, value)

    def flat_parameters(self) -> list:
        """The weights and biases as one flat list, in the order of ``network.parameters``."""
        return self.network.parameters.flatten(self.weights, self.biases)

    @property
    def n_samples(self) -> int:
        """Number of rows in the dataset."""
        return len(self.inputs)

    def replace(self, **changes) -> Example:
        """A copy with some fields changed; the copy is validated like a new example."""
        return replace(self, **changes)


def random_parameters(network: Network, seed: int = 0, scale: float | None = None) -> tuple[list, list]:
    """Small random (weights, biases) for a network, reproducible from ``seed``."""
    return network.parameters.random(seed, scale)
