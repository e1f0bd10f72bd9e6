"""The decision boundary of a two-input network: its output over the input plane, and the samples.

The grid of outputs comes from the lambdified forward pass (the engine's own function, fed a whole
grid of inputs at once); the plot shows it as an image updated in place, with the boundary line:
the output's midpoint between its targets (0.5 for a sigmoid output learning 0 and 1), or, for
several outputs (softmax), where the largest output changes. The line is traced by contourpy into
one Line2D, so a training view can redraw it on every tick without adding an artist.
"""

from __future__ import annotations

from dataclasses import dataclass

import contourpy
import numpy as np
from matplotlib.colors import ListedColormap

from ..core.bridge import compile_network
from ..core.quantities import Out, Target
from .palette import INK, OKABE_ITO, figure_number

__all__ = ["DecisionBoundaryPlot", "DecisionGrid", "boundary_sentence", "decision_grid", "sample_classes"]

_PAD = 0.5     # the plane reaches this far beyond the samples' inputs
_MARKERS = ("o", "X", "s", "^", "D", "v", "P", "*")


@dataclass(frozen=True)
class DecisionGrid:
    """The network's outputs over a grid of (input 1, input 2), the rest as the example has it."""

    xs: np.ndarray          # (points,)
    ys: np.ndarray          # (points,)
    outputs: np.ndarray     # (n_outputs, len(ys), len(xs))
    threshold: float        # one output: the boundary level (midway between the targets)

    @property
    def classes(self) -> np.ndarray:
        """Which class each grid point falls in: above the threshold (one output) or the largest output."""
        if len(self.outputs) == 1:
            return (self.outputs[0] >= self.threshold).astype(int)
        return np.argmax(self.outputs, axis=0)


def _threshold(example) -> float:
    targets = np.asarray(example.targets, dtype=float)
    return float((targets.min() + targets.max()) / 2) if targets.size else 0.5


def sample_classes(example) -> np.ndarray:
    """Each sample's class by its target: above the threshold (one output), or its largest target."""
    targets = np.asarray(example.targets, dtype=float)
    if targets.shape[1] == 1:
        return (targets[:, 0] >= _threshold(example)).astype(int)
    return np.argmax(targets, axis=1)


def decision_grid(example, parameters=None, points: int = 101) -> DecisionGrid:
    """The outputs over the input plane, through the compiled forward pass (two-input networks only)."""
    if example.network.layers[0] != 2:
        raise ValueError(f"the decision boundary needs two inputs, this network has {example.network.layers[0]}")
    inputs = np.asarray(example.inputs, dtype=float)
    low, high = inputs.min(axis=0) - _PAD, inputs.max(axis=0) + _PAD
    xs, ys = np.linspace(low[0], high[0], points), np.linspace(low[1], high[1], points)
    grid_x, grid_y = np.meshgrid(xs, ys)
    params = example.flat_parameters() if parameters is None else list(parameters)
    compiled = compile_network(example.network)
    with np.errstate(all="ignore"):
        outputs = compiled.forward_numpy(params, [grid_x, grid_y], example.targets[0])[1:]
    outputs = np.stack([np.broadcast_to(np.asarray(o, dtype=float), grid_x.shape) for o in outputs])
    return DecisionGrid(xs, ys, outputs, _threshold(example))


def _boundary_lines(grid: DecisionGrid) -> tuple:
    """(x, y) of the boundary, its pieces separated by NaN: one Line2D draws them all."""
    if len(grid.outputs) == 1:
        fields, level = [grid.outputs[0]], grid.threshold
    else:   # where output k stops being the largest: k's margin over the others crosses 0
        fields, level = [], 0.0
        for k in range(len(grid.outputs)):
            others = np.delete(grid.outputs, k, axis=0).max(axis=0)
            fields.append(grid.outputs[k] - others)
    xs, ys = [], []
    for field in fields:
        if not np.isfinite(field).all():
            continue
        for line in contourpy.contour_generator(grid.xs, grid.ys, field).lines(level):
            xs += list(line[:, 0]) + [np.nan]
            ys += list(line[:, 1]) + [np.nan]
    return np.array(xs), np.array(ys)


def boundary_sentence(example, grid: DecisionGrid, outputs, namer) -> str:
    """The text alternative: what the colours and line mean, and which samples are on their target's side."""
    n_out = example.network.layers[-1]
    depth = example.network.depth
    inputs = [namer.text(Out(0, k)) for k in range(2)]
    if n_out == 1:
        out = namer.text(Out(depth, 0))
        what = (f"The network's output {out} over the plane of {inputs[0]} and {inputs[1]}; the line is where "
                f"{out} = {figure_number(grid.threshold)}.")
    else:
        what = (f"Which of the {n_out} outputs is largest over the plane of {inputs[0]} and {inputs[1]}, one "
                f"colour each; the lines are where the largest output changes.")
    wanted = sample_classes(example)
    right, items = 0, []
    for s, (x, row) in enumerate(zip(example.inputs, outputs)):
        got = int(np.argmax(row)) if n_out > 1 else int(row[0] >= grid.threshold)
        right += got == wanted[s]
        targets = ", ".join(f"{namer.text(Target(j))} = {figure_number(t)}" for j, t in enumerate(example.targets[s]))
        shown = ", ".join(f"{namer.text(Out(depth, j))} = {figure_number(v)}" for j, v in enumerate(row))
        side = "right side" if got == wanted[s] else "wrong side"
        items.append(f"sample {s + 1} at {inputs[0]} = {figure_number(x[0])}, {inputs[1]} = {figure_number(x[1])} "
                     f"({targets}): {shown}, on the {side}")
    return what + f" {right} of {len(wanted)} samples are on their target's side: " + "; ".join(items) + "."


class DecisionBoundaryPlot:
    """The output over the input plane as an image, the boundary line, and the samples by target."""

    def __init__(self, ax):
        self.ax, self.figure = ax, ax.figure
        self.image = None
        self.line = None
        self.samples = []
        self._key = None

    def _build(self, example, grid: DecisionGrid, namer) -> None:
        """Make the image, line and sample markers for one network shape (only when the shape changes)."""
        self.ax.clear()
        n_out = len(grid.outputs)
        extent = (grid.xs[0], grid.xs[-1], grid.ys[0], grid.ys[-1])
        if n_out == 1:
            targets = np.asarray(example.targets, dtype=float)
            self.image = self.ax.imshow(grid.outputs[0], origin="lower", extent=extent, aspect="auto",
                                        cmap="cividis", vmin=targets.min(), vmax=targets.max(), alpha=0.75,
                                        interpolation="bilinear", zorder=0)
        else:
            colours = ListedColormap([OKABE_ITO[k % len(OKABE_ITO)] for k in range(n_out)])
            self.image = self.ax.imshow(grid.classes, origin="lower", extent=extent, aspect="auto", cmap=colours,
                                        vmin=-0.5, vmax=n_out - 0.5, alpha=0.35, interpolation="nearest", zorder=0)
        self.line = self.ax.plot([], [], color=INK, lw=2.6, zorder=3)[0]
        classes = sample_classes(example)
        inputs = np.asarray(example.inputs, dtype=float)
        self.samples = []
        handles, labels = [self.line], ["boundary"]
        depth = example.network.depth
        for c in sorted(set(classes.tolist())):
            pick = inputs[classes == c]
            marker = self.ax.plot(pick[:, 0], pick[:, 1], ls="none", marker=_MARKERS[c % len(_MARKERS)], ms=12,
                                  color=OKABE_ITO[(c + 1) % len(OKABE_ITO)] if n_out == 1 else OKABE_ITO[c],
                                  mec="white", mew=1.5, zorder=4)[0]
            self.samples.append(marker)
            handles.append(marker)
            values = sorted(set(np.asarray(example.targets, dtype=float).ravel().tolist()))
            if n_out == 1 and len(values) == 2:
                labels.append(f"target {figure_number(values[c])}")
            elif n_out == 1:
                labels.append(f"target {'above' if c else 'below'} {figure_number(grid.threshold)}")
            else:
                labels.append(f"target: {namer.text(Out(depth, c))}")
        self.ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=min(len(labels), 3),
                       fontsize=8, frameon=False)
        self.ax.set_xlabel(f"${namer.tex(Out(0, 0))}$")
        self.ax.set_ylabel(f"${namer.tex(Out(0, 1))}$")
        self.ax.set_xlim(extent[0], extent[1])
        self.ax.set_ylim(extent[2], extent[3])
        title = (f"${namer.tex(Out(depth, 0))}$ over the inputs" if n_out == 1 else "the largest output")
        self.ax.set_title(title, fontsize=11)

    def show(self, example, grid: DecisionGrid, namer) -> None:
        """Draw a :class:`DecisionGrid`; the artists are rebuilt only for a new shape of network or names."""
        key = (example.network, tuple(map(tuple, example.inputs)), tuple(map(tuple, example.targets)),
               namer.notation)
        if key != self._key:
            self._build(example, grid, namer)
            self._key = key
        self.image.set_data(grid.outputs[0] if len(grid.outputs) == 1 else grid.classes)
        self.line.set_data(*_boundary_lines(grid))
