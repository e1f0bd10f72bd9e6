"""An activation function and its slope, with every neuron that uses it marked where it is now.

The two curves come from the registry: the function is the activation's SymPy form, the slope
SymPy's derivative of it, both lambdified with the registry's numeric twins (no hand-written σ').
The markers are the engine's numbers for each neuron: its net input, its output and the
derivation's factor ∂out/∂net. Where the slope is near 0 the neuron is saturated: a weight into it
learns slowly, and the plot shades those tails. Softmax couples a layer's neurons, so it has no
curve of one variable: a layer that uses it is skipped, and :func:`skipped_sentence` says so.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from matplotlib.patches import Rectangle

from ..core import registry
from ..core.quantities import Net, Out, Partial
from .palette import GRID, HIGHLIGHT, HIGHLIGHT_FILL, INK, NEGATIVE, POSITIVE, figure_number

__all__ = ["ActivationPlot", "activation_curves", "activation_sentence", "neuron_name", "neuron_points",
           "plotted_activations", "skipped_sentence"]

SATURATED = 0.1          # a slope below this fraction of the steepest slope counts as saturated
_MIN_REACH = 6.0         # the net-input axis spans at least ±6
_POINTS = 401


@lru_cache(maxsize=32)
def _compiled(name: str, generation: int):
    entry = registry.activation(name)
    net = sp.Symbol("net")
    out = entry.output([net], 0)
    modules = [registry.numeric_functions("numpy"), "numpy"]
    return sp.lambdify([net], out, modules=modules), sp.lambdify([net], sp.diff(out, net), modules=modules)


def activation_curves(name: str, nets) -> tuple:
    """(out, slope) of a registered one-neuron activation over ``nets``: SymPy's form and its derivative."""
    function, slope = _compiled(name, registry.generation())
    nets = np.asarray(nets, dtype=float)
    with np.errstate(all="ignore"):
        return (np.broadcast_to(function(nets), nets.shape).astype(float),
                np.broadcast_to(slope(nets), nets.shape).astype(float))


def plotted_activations(network) -> list:
    """The activations to plot, in layer order, each once; coupled ones (softmax) are left out."""
    names = []
    for name in network.activations:
        if not registry.activation(name).coupled and name not in names:
            names.append(name)
    return names


def skipped_sentence(network, namer) -> str:
    """What is not plotted and why (softmax layers), or ""."""
    skipped = [l for l, name in enumerate(network.activations, start=1) if registry.activation(name).coupled]
    if not skipped:
        return ""
    neurons = ", ".join(namer.text(Out(l, j)) for l in skipped for j in range(network.layers[l]))
    return (f"Not plotted: {neurons} use softmax, which couples the outputs of a layer (each depends on every "
            f"net input), so it has no single curve against one net input.")


def neuron_name(key, namer) -> str:
    """A neuron's short name: h1, o2 (Mazur) or a1_2 (layered), as the diagram writes it."""
    return namer.neuron(key.layer, key.neuron) if namer.notation == "mazur" else namer.text(key)


def neuron_points(values, network, name: str) -> list:
    """(neuron key, net, out, slope) of every neuron using activation ``name``, from the engine's step values."""
    points = []
    for l, used in enumerate(network.activations, start=1):
        if used != name:
            continue
        for j in range(network.layers[l]):
            points.append((Out(l, j), float(values[Net(l, j)]), float(values[Out(l, j)]),
                           float(values[Partial(Out(l, j), Net(l, j))])))
    return points


def activation_sentence(name: str, points, namer, highlight=None) -> str:
    """The text alternative: the curves, each neuron's net input, output and slope, and which are saturated."""
    steepest = _steepest(name)
    items = []
    for key, net, out, slope in points:
        flag = " (saturated: slope near 0)" if abs(slope) < SATURATED * steepest else ""
        mark = " (highlighted)" if key == highlight else ""
        items.append(f"{neuron_name(key, namer)}{mark} at net input {figure_number(net)}: output {figure_number(out)}, "
                     f"slope {figure_number(slope)}{flag}")
    return (f"The {name} activation (solid) and its slope (dashed) against the net input; shaded where the slope "
            f"is below {SATURATED:g} of its largest value, so a weight into such a neuron learns slowly. "
            + "; ".join(items) + ".")


def _steepest(name: str) -> float:
    _, slope = activation_curves(name, np.linspace(-_MIN_REACH, _MIN_REACH, _POINTS))
    finite = np.abs(slope[np.isfinite(slope)])
    return float(finite.max()) if len(finite) else 1.0


class ActivationPlot:
    """One activation and its slope against the net input; each neuron's (net, out) and (net, slope) marked."""

    def __init__(self, ax, labels: int = 8):
        self.ax, self.figure = ax, ax.figure
        ax.grid(True, color=GRID, lw=0.8)
        ax.axhline(0, color=INK, lw=0.6, zorder=1)
        span = ax.get_xaxis_transform()
        self.tails = [Rectangle((0, 0), 0, 1, transform=span, color=HIGHLIGHT_FILL, alpha=0.55, lw=0, zorder=0)
                      for _ in range(2)]
        for patch in self.tails:
            ax.add_patch(patch)
        self.tail_labels = [ax.text(0, 0.5, "saturated:\nslope ≈ 0", transform=span, ha="center", va="center",
                                    fontsize=9, color=INK, rotation=90, zorder=1) for _ in range(2)]
        self.function = ax.plot([], [], color=POSITIVE, lw=2.4, zorder=3)[0]
        self.slope = ax.plot([], [], color=NEGATIVE, lw=2.0, ls="--", zorder=3)[0]
        self.stems = ax.plot([], [], color=INK, lw=0.8, ls=":", zorder=4)[0]
        self.outs = ax.plot([], [], ls="none", marker="o", ms=8, color=POSITIVE, mec=INK, zorder=5)[0]
        self.slopes = ax.plot([], [], ls="none", marker="s", ms=7, color=NEGATIVE, mec=INK, zorder=5)[0]
        self.current = ax.plot([], [], ls="none", marker="o", ms=15, mfc="none", mec=HIGHLIGHT, mew=3, zorder=6)[0]
        self.labels = [ax.annotate("", (0, 0), xytext=(6, 6), textcoords="offset points", fontsize=10, color=INK,
                                   zorder=7, visible=False) for _ in range(labels)]
        self.legend = ax.legend([self.function, self.slope, self.outs, self.slopes],
                                ["activation", "its slope", "neuron's output", "neuron's slope"], loc="upper left",
                                fontsize=8)
        ax.set_xlabel("net input")
        ax.set_ylabel("output, slope")
        self.name = None

    def show(self, name: str, points, namer, highlight=None) -> None:
        """Draw activation ``name`` and mark ``points`` (from :func:`neuron_points`); ring the ``highlight`` neuron."""
        nets = np.array([p[1] for p in points], dtype=float)
        reach = max(_MIN_REACH, float(np.nanmax(np.abs(nets))) * 1.15 if len(nets) else 0.0)
        if not np.isfinite(reach):
            reach = _MIN_REACH
        xs = np.linspace(-reach, reach, _POINTS)
        out, slope = activation_curves(name, xs)
        self.function.set_data(xs, out)
        self.slope.set_data(xs, slope)
        steepest = _steepest(name)
        flat = np.abs(slope) < SATURATED * steepest
        # The saturated tails: from each end of the axis inwards while the slope stays near 0.
        left = xs[np.argmin(flat)] if flat[0] else -reach
        right = xs[len(xs) - 1 - np.argmin(flat[::-1])] if flat[-1] else reach
        self.tails[0].set_bounds(-reach, 0, left + reach, 1)
        self.tails[1].set_bounds(right, 0, reach - right, 1)
        for label, (a, b) in zip(self.tail_labels, ((-reach, left), (right, reach))):
            label.set_x((a + b) / 2)
            label.set_visible(b - a > 0.08 * reach)
        self.outs.set_data(nets, [p[2] for p in points])
        self.slopes.set_data(nets, [p[3] for p in points])
        stems_x = np.repeat(nets, 3)
        stems_y = np.ravel([[p[2], p[3], np.nan] for p in points]) if points else []
        stems_x[2::3] = np.nan
        self.stems.set_data(stems_x, stems_y)
        ring = [p for p in points if p[0] == highlight]
        self.current.set_data([p[1] for p in ring], [p[2] for p in ring])
        while len(self.labels) < len(points):   # a bigger network: more labels, made once
            self.labels.append(self.ax.annotate("", (0, 0), xytext=(6, 6), textcoords="offset points", fontsize=10,
                                                color=INK, zorder=7, visible=False))
        # Neighbours' names alternate above-right and below-left, so two neurons close together stay readable.
        rank = {k: r for r, k in enumerate(np.argsort([p[1] for p in points], kind="stable"))}
        for k, label in enumerate(self.labels):
            if k < len(points):
                key, net, value, _ = points[k]
                label.xy = (net, value)
                above = rank[k] % 2 == 0
                label.xyann = (7, 5) if above else (-7, -7)
                label.set_horizontalalignment("left" if above else "right")
                label.set_verticalalignment("bottom" if above else "top")
                label.set_text(neuron_name(key, namer))
                label.set_fontweight("bold" if key == highlight else "normal")
                label.set_visible(True)
            else:
                label.set_visible(False)
        finite = np.concatenate([out[np.isfinite(out)], slope[np.isfinite(slope)], [0.0, 1.0]])
        low, high = float(finite.min()), float(finite.max())
        pad = 0.08 * (high - low)
        self.ax.set_xlim(-reach, reach)
        self.ax.set_ylim(low - pad, high + pad)
        self.ax.set_title(f"{name} and its slope", fontsize=11)
        self.name = name
