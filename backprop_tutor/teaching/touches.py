"""What a walkthrough step touches on the network: its nodes and edges, its parameter, the values known.

Nodes are ``(layer, j)`` (layer 0 the inputs), ``("bias", layer)`` for the bias unit feeding a
layer, and ``("E",)`` for the error; an edge is ``(from_node, to_node)``, as in walkthrough.py.
Any view (a diagram, a text description) asks this module instead of reading step keys itself.
"""

from __future__ import annotations

from ..core.quantities import (
    Bias,
    Delta,
    ErrorAfter,
    ErrorTerm,
    Out,
    Partial,
    Target,
    TotalError,
    Updated,
    Weight,
    as_quantity,
)
from ..core.spec import Network

__all__ = ["ERROR_NODE", "edge_parameter", "known_values", "step_focus", "step_highlights"]

ERROR_NODE = ("E",)


def edge_parameter(network: Network, edge: tuple):
    """The parameter key a weight or bias edge draws (None for an edge into the error node)."""
    source, target = edge
    if target == ERROR_NODE:
        return None
    layer, j = target
    if source[0] == "bias":
        return network.parameters.bias_key(layer, j)
    return Weight(layer, j, source[1])


def _is_about_error(key) -> bool:
    """Whether a step's quantity is the error or a derivative of it (a gradient, a delta)."""
    if isinstance(key, (ErrorTerm, TotalError, ErrorAfter, Delta)):
        return True
    return isinstance(key, Partial) and isinstance(key.of, TotalError)


def step_highlights(step, network: Network, show_error: bool = True) -> tuple:
    """The (nodes, edges) a diagram highlights for a walkthrough step.

    These are the step's own ``nodes`` and ``edges``; a step about the error (a gradient, a
    delta, an error term) that touches output neurons also lights the error node and the
    edges from those outputs to it.
    """
    nodes, edges = list(step.nodes), list(step.edges)
    key = as_quantity(step.key) if step.key is not None else None
    if show_error and _is_about_error(key):
        L = network.depth
        # An error term belongs to one output even when its step lists no node.
        outputs = [(L, key.neuron)] if isinstance(key, ErrorTerm) else [n for n in nodes if n[0] == L]
        if outputs:
            nodes.append(ERROR_NODE)
            edges += [(o, ERROR_NODE) for o in outputs]
    return tuple(nodes), tuple(edges)


def step_focus(step):
    """The parameter whose gradient or new value a step computes, else ``()`` (none)."""
    if step.key is None:
        return ()
    key = as_quantity(step.key)
    if isinstance(key, Partial) and isinstance(key.of, TotalError) and isinstance(key.wrt, (Weight, Bias)):
        return key.wrt
    return key.param if isinstance(key, Updated) else ()


def known_values(walk, index: int) -> dict:
    """Values known at a walkthrough step: inputs, targets, parameters, and every step so far."""
    values = {}
    for key, value in walk.values.values.items():
        quantity = as_quantity(key)
        if isinstance(quantity, (Target, Weight, Bias)) or (isinstance(quantity, Out) and quantity.is_input):
            values[key] = value
    values.update(walk.values_so_far(index))
    return values
