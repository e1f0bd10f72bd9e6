"""The network diagram in words: one paragraph of plain text for screen readers (the image's text alternative).

It reads what a :class:`~backprop_tutor.views.diagram.NetworkDiagram` shows now (its network,
names, highlight, weights and values) and draws nothing.
"""

from __future__ import annotations

from ..core.quantities import Bias, Out, TotalError, Updated, gradient
from ..teaching.notation import Namer
from ..teaching.touches import ERROR_NODE, edge_parameter
from .palette import figure_number

__all__ = ["describe_diagram"]

MAX_LISTED = 24          # more parameters than this are summed up as a range


def describe_diagram(diagram) -> str:
    """One paragraph of plain text saying what a diagram shows now (for screen readers)."""
    net, namer = diagram.network, diagram.namer
    layers = []
    for l, n in enumerate(net.layers):
        role = "inputs" if l == 0 else "outputs" if l == net.depth else "hidden layer"
        layers.append(f"{role} " + ", ".join(_node_name((l, j), namer) for j in range(n)))
    parts = [f"Network {'-'.join(map(str, net.layers))} ({', '.join(net.activations)} activations, "
             f"{net.loss} loss): " + "; ".join(layers)]
    if net.parameters.shared:
        parts.append(f"one bias unit per layer ({', '.join(namer.text(Bias(l)) for l in range(1, net.depth + 1))})")
    elif net.parameters.has_bias:
        parts.append("one bias unit per layer with its own bias on each edge")
    if diagram.show_error:
        parts.append(f"an error node {namer.text(TotalError())} fed by every output")
    text = "; ".join(parts) + ". Positive weights are solid blue lines, negative weights dashed orange-red lines."
    if diagram.highlighting:
        items = [_describe_node(diagram, n) for n in diagram.nodes if n in diagram.highlighted_nodes]
        items += [_describe_edge(diagram, e) for e in diagram.edges if e in diagram.highlighted_edges]
        text += " Highlighted: " + "; ".join(items) + ". Everything else is faded."
    else:
        text += " Nothing is highlighted."
    # Every value the picture writes is in the words too, faded or not.
    others = [_describe_node(diagram, n) for n in diagram.nodes
              if n not in diagram.highlighted_nodes and any(diagram.value_groups(n))]
    if others:
        text += " Values: " + "; ".join(others) + "."
    weights = diagram.weights
    known = [p for p in dict.fromkeys(edge_parameter(net, e) for e in diagram.edges) if p in weights]
    if 0 < len(known) <= MAX_LISTED:
        text += " Parameters: " + ", ".join(f"{namer.text(p)} = {figure_number(weights[p])}" for p in known) + "."
    elif known:
        values = [weights[p] for p in known]
        text += f" {len(known)} parameters from {figure_number(min(values))} to {figure_number(max(values))}."
    return text


def _describe_node(diagram, node) -> str:
    """A node's name and the values written under it ("= 0.05" read as "value 0.05")."""
    items = [item.replace("= ", "value ", 1) if item.startswith("= ") else item
             for group in diagram.value_groups(node) for item in group]
    return _node_name(node, diagram.namer) + (f" ({', '.join(items)})" if items else "")


def _describe_edge(diagram, edge) -> str:
    """An edge's name and, when known, its parameter's value, gradient and new value."""
    namer = diagram.namer
    param = edge_parameter(diagram.network, edge)
    if param is None:
        return _edge_name(edge, None, namer)
    details = [f"{label} {figure_number(source[key])}" for label, source, key in (
        ("value", diagram.weights, param), ("gradient", diagram.values, gradient(param)),
        ("new value", diagram.values, Updated(param))) if key in source]
    return _edge_name(edge, namer.text(param), namer) + (f" ({', '.join(details)})" if details else "")


def _edge_name(edge, param_name, namer: Namer) -> str:
    """An edge in words: "edge w5 from h1 to o1", "bias edge b1_2 into a1_2"."""
    a, b = edge
    if a[0] == "bias":
        return f"bias edge {param_name or ''} into {_node_name(b, namer)}".replace("  ", " ")
    if b == ERROR_NODE:
        return f"edge from {_node_name(a, namer)} to the error {_node_name(b, namer)}"
    return f"edge {param_name + ' ' if param_name else ''}from {_node_name(a, namer)} to {_node_name(b, namer)}"


def _node_name(node, namer: Namer) -> str:
    """A node's plain name: h1 (Mazur), a1_2 (layered), E_total, b1 or "bias unit of layer 2"."""
    if node == ERROR_NODE:
        return namer.text(TotalError())
    if node[0] == "bias":
        if namer.network.parameters.shared:
            return namer.text(Bias(node[1]))
        return f"bias unit of layer {node[1]}"
    return namer.neuron(*node) if namer.notation == "mazur" else namer.text(Out(*node))
