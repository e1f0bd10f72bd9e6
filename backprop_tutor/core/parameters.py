"""The one owner of parameter order and bias layout (shared, per neuron, or none).

Every other module asks a :class:`ParameterLayout` (``network.parameters``) which weights and
biases a network has, in which order, which bias feeds a neuron, and how the nested
worked-example lists (``weights[l][to][from]``, ``biases``) map to and from one flat list.
Like micrograd's ``parameters()``: one place knows, everyone else asks.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .checks import SpecError, as_list, number, vector
from .quantities import Bias, Parameter, Weight

__all__ = ["BIAS_MODES", "ParameterLayout"]

BIAS_MODES = ("shared", "per_neuron", "none")


@dataclass(frozen=True)
class ParameterLayout:
    """Weights and biases of a network with ``layers`` (inputs first) in bias mode ``bias``.

    Canonical order: layer by layer from the inputs, each layer's weights row by row
    (``Weight(l, j, k)`` for target j, source k), then that layer's bias or biases.
    """

    layers: tuple
    bias: str

    @property
    def depth(self) -> int:
        """Number of weight layers."""
        return len(self.layers) - 1

    @property
    def has_bias(self) -> bool:
        """Whether the network has biases at all."""
        return self.bias != "none"

    @property
    def shared(self) -> bool:
        """Whether each layer has one bias shared by its neurons (the classic example's layout)."""
        return self.bias == "shared"

    @cached_property
    def keys(self) -> tuple:
        """Every parameter key, in canonical order."""
        keys: list = []
        for l in range(1, self.depth + 1):
            keys += self.layer_keys(l)
        return tuple(keys)

    def __len__(self) -> int:
        return len(self.keys)

    def layer_keys(self, l: int) -> list:
        """The parameters feeding layer ``l`` (1-based: layer 0 is the inputs): weights, then biases."""
        keys: list = [Weight(l, j, k) for j in range(self.layers[l]) for k in range(self.layers[l - 1])]
        return keys + self.biases_of(l)

    def biases_of(self, l: int) -> list:
        """The bias keys feeding layer ``l``: one shared, one per neuron, or none."""
        if self.bias == "shared":
            return [Bias(l)]
        if self.bias == "per_neuron":
            return [Bias(l, j) for j in range(self.layers[l])]
        return []

    def bias_key(self, l: int, j: int) -> Bias | None:
        """The bias feeding neuron j of layer l, or None."""
        if self.bias == "shared":
            return Bias(l)
        if self.bias == "per_neuron":
            return Bias(l, j)
        return None

    def fed_by(self, param: Parameter) -> list:
        """The neurons of ``param.layer`` whose net input contains ``param``."""
        if isinstance(param, Weight):
            return [param.target]
        if param.neuron is not None:
            return [param.neuron]
        return list(range(self.layers[param.layer]))

    # -- nested lists <-> flat list -------------------------------------------------------
    def flatten(self, weights: Sequence, biases: Sequence) -> list:
        """The worked-example ``weights`` and ``biases`` as one flat list, in canonical order."""
        flat: list = []
        for l, matrix in enumerate(weights):
            for row in matrix:
                flat.extend(row)
            if self.bias == "shared":
                flat.append(biases[l])
            elif self.bias == "per_neuron":
                flat.extend(biases[l])
        return flat

    def unflatten(self, flat: Iterable) -> tuple[list, list]:
        """Nested (weights, biases) lists, shaped as in the worked-example JSON, from a flat list."""
        values = iter(float(v) for v in flat)
        weights: list = []
        biases: list = []
        for l in range(1, self.depth + 1):
            fan_in, fan_out = self.layers[l - 1], self.layers[l]
            weights.append([[next(values) for _ in range(fan_in)] for _ in range(fan_out)])
            if self.bias == "shared":
                biases.append(next(values))
            elif self.bias == "per_neuron":
                biases.append([next(values) for _ in range(fan_out)])
        return weights, biases

    def named(self, weights: Sequence | None = None, biases: Sequence | None = None) -> dict:
        """Parameter key -> value for the weights and/or biases given (either may be None)."""
        values: dict = {}
        for l, matrix in enumerate(weights or (), start=1):
            for j, row in enumerate(matrix):
                values.update({Weight(l, j, k): float(w) for k, w in enumerate(row)})
        if self.bias == "shared":
            values.update({Bias(l): float(b) for l, b in enumerate(biases or (), start=1)})
        elif self.bias == "per_neuron":
            for l, row in enumerate(biases or (), start=1):
                values.update({Bias(l, j): float(b) for j, b in enumerate(row)})
        return values

    # -- the biases field of the worked example -------------------------------------------
    def check_biases(self, value: Any, field: str = "biases") -> tuple:
        """Validated biases for this layout: one number per layer, one list per layer, or none."""
        if self.bias == "none":
            if value not in (None, (), []):
                raise SpecError(field, "expected no biases for bias mode 'none'")
            return ()
        if value is None:
            raise SpecError(field, f"missing: bias mode {self.bias!r} needs one entry per non-input layer")
        items = as_list(value, field)
        if len(items) != self.depth:
            raise SpecError(field, f"expected {self.depth} entries (one per non-input layer), got {len(items)}")
        if self.bias == "shared":
            return tuple(number(b, f"{field}[{l}]") for l, b in enumerate(items))
        return tuple(vector(b, f"{field}[{l}]", self.layers[l + 1], f"one per neuron of layer {l + 1}")
                     for l, b in enumerate(items))

    def bias_rows(self, biases: Sequence) -> list:
        """The biases as rows of numbers, one row per layer (a shared bias is a row of one)."""
        if self.bias == "shared":
            return [[float(b)] for b in biases]
        if self.bias == "per_neuron":
            return [[float(v) for v in row] for row in biases]
        return []

    def biases_from_rows(self, rows: list) -> list | None:
        """The inverse of :meth:`bias_rows` (shared biases may also be written on one row)."""
        if self.bias == "shared":
            return [value for row in rows for value in row]
        if self.bias == "per_neuron":
            return rows
        return None

    def biases_json(self, biases: Sequence) -> list | None:
        """The biases as the worked-example JSON writes them, or None when there are none."""
        if self.bias == "shared":
            return list(biases)
        if self.bias == "per_neuron":
            return [list(row) for row in biases]
        return None

    def random(self, seed: int = 0, scale: float | None = None) -> tuple[list, list]:
        """Small random (weights, biases), reproducible from ``seed``."""
        rng = random.Random(seed)
        weights: list = []
        biases: list = []
        for l in range(self.depth):
            fan_in, fan_out = self.layers[l], self.layers[l + 1]
            # Glorot-style spread keeps sigmoid and tanh layers away from saturation.
            spread = scale if scale is not None else math.sqrt(6.0 / (fan_in + fan_out))
            weights.append([[round(rng.uniform(-spread, spread), 4) for _ in range(fan_in)]
                            for _ in range(fan_out)])
            if self.bias == "shared":
                biases.append(round(rng.uniform(-0.5, 0.5), 4))
            elif self.bias == "per_neuron":
                biases.append([round(rng.uniform(-0.5, 0.5), 4) for _ in range(fan_out)])
        return weights, biases
