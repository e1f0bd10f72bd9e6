"""Ids of the diagram's clickable parts: a weight, a bias or a neuron, written into the SVG and read back.

An id encodes a quantity by its indices only ("bt-w-2-0-0" is ``Weight(2, 0, 0)``, "bt-b-1"
the shared ``Bias(1)``, "bt-b-1-0" neuron 0's own bias in layer 1, "bt-n-1-0" neuron
``(1, 0)``); the other parts of the same thing (its label, the values under a neuron, each edge
of a shared bias) carry the same id with a suffix of letters ("-label", "-value", "-edge0"), so
every id in one SVG is unique. Reading an
id back only matches digits and checks them against the network: nothing from the browser is
ever evaluated.
"""

from __future__ import annotations

import re

from ..core.quantities import Bias, Weight
from ..core.spec import Network

__all__ = ["PREFIX", "element_id", "element_target"]

PREFIX = "bt-"
# Indices, then an optional part name ("label", "value", "edge0": a shared bias has one edge per neuron).
_ID = re.compile(r"bt-(w|b|n)((?:-\d{1,4}){1,3})(?:-[a-z][a-z0-9]{0,15})?")


def element_id(item, suffix: str = "") -> str | None:
    """The id of a parameter key or a neuron node ``(layer, j)``; None for anything else."""
    if isinstance(item, Weight):
        kind = "w"
    elif isinstance(item, Bias):
        kind = "b"
    elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(i, int) for i in item):
        return f"{PREFIX}n-{item[0]}-{item[1]}" + (f"-{suffix}" if suffix else "")
    else:
        return None
    return f"{PREFIX}{kind}-" + "-".join(str(i) for i in item[1:]) + (f"-{suffix}" if suffix else "")


def element_target(text: str, network: Network):
    """The parameter key or neuron node an id names in ``network``; None if it names none of them."""
    match = _ID.fullmatch(text or "")
    if not match:
        return None
    kind, numbers = match.group(1), tuple(int(i) for i in match.group(2)[1:].split("-"))
    layers = network.layers
    if kind == "n" and len(numbers) == 2:
        layer, j = numbers
        return (layer, j) if 0 <= layer < len(layers) and j < layers[layer] else None
    if kind == "w" and len(numbers) == 3:
        layer, target, source = numbers
        if 1 <= layer < len(layers) and target < layers[layer] and source < layers[layer - 1]:
            return Weight(layer, target, source)
        return None
    if kind == "b" and numbers and 1 <= numbers[0] < len(layers):
        key = Bias(*numbers) if len(numbers) <= 2 else None
        return key if key in network.parameters.keys else None
    return None
