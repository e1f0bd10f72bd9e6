"""The error as a function of one or two parameters: what a gradient is, and where descent goes.

One parameter: the error of one sample (the walkthrough's E_total) against a weight or bias,
the others fixed, with the tangent at today's value (its slope is the derived ∂E/∂w) and the
update step η·∂E/∂w. Two parameters: the dataset's mean loss over a grid of both (what training
minimises), and the gradient-descent path when training moves only those two. Every number
comes from the lambdified derivation (:mod:`bridge`) and the engine; nothing is recomputed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core import checks
from ..core.bridge import compile_network
from ..core.engine import Training, evaluate_step, train
from ..core.quantities import Parameter, TotalError, Updated, gradient
from ..core.spec import Example, SpecError
from .notation import quantity

__all__ = ["ErrorCurve", "ErrorSurface", "descent_path", "error_curve", "error_surface"]

_MAX_POINTS = 1001      # per axis: a plot has no more pixels than this
_MIN_HALF_WIDTH = 0.5   # a curve spans at least ±0.5 around today's value


def _parameter(example: Example, parameter) -> tuple:
    """(key, index in the flat parameter list) of a name ("w5") or key; a one-line error for anything else."""
    keys = example.network.parameters.keys
    try:
        key = quantity(parameter, example.network)
    except (TypeError, ValueError, KeyError):
        key = None
    if key not in keys:
        raise SpecError("parameter", f"expected one of the network's weights or biases, got {parameter!r}")
    return key, keys.index(key)


def _points(points) -> int:
    points = checks.whole_number(points, "points")
    if not 3 <= points <= _MAX_POINTS:
        raise SpecError("points", f"expected from 3 to {_MAX_POINTS}, got {points}")
    return points


def _losses(example: Example, grids: dict, samples) -> np.ndarray:
    """The mean error over ``samples`` with the parameters at ``grids`` (index -> array), the rest as they are."""
    compiled = compile_network(example.network)
    shape = np.broadcast(*grids.values()).shape
    params = [np.broadcast_to(grids[i], shape).ravel() if i in grids else v
              for i, v in enumerate(example.flat_parameters())]
    with np.errstate(all="ignore"):
        total = sum(np.broadcast_to(compiled.forward_numpy(params, example.inputs[s], example.targets[s])[0],
                                    (math.prod(shape),)) for s in samples)
    return (total / len(samples)).reshape(shape)


@dataclass(frozen=True)
class ErrorCurve:
    """One sample's error against one parameter, the tangent at today's value and the update step."""

    parameter: Parameter
    values: np.ndarray      # the parameter's values along the axis
    errors: np.ndarray      # the error at each
    current: float          # today's value of the parameter
    error: float            # the error there (the walkthrough's E_total)
    slope: float            # the derived ∂E/∂parameter there
    learning_rate: float
    updated: float          # current − η·slope, or current when the parameter is not trained

    def tangent(self, values) -> np.ndarray:
        """The tangent line at today's value: error + slope·(value − current)."""
        return self.error + self.slope * (np.asarray(values, dtype=float) - self.current)


def error_curve(example: Example, parameter, sample: int = 0, points: int = 201,
                half_width: float | None = None) -> ErrorCurve:
    """The error of ``sample`` as ``parameter`` varies (the others fixed), with its tangent and update."""
    key, index = _parameter(example, parameter)
    points = _points(points)
    step = evaluate_step(example, sample)
    current, slope = float(step[key]), float(step[gradient(key)])
    updated = float(step.values.get(Updated(key), current))
    if half_width is None:   # wide enough to show the step, never so narrow the curve looks straight
        half_width = max(_MIN_HALF_WIDTH, 4 * abs(updated - current))
    else:
        half_width = checks.number(half_width, "half_width")
        if half_width <= 0:
            raise SpecError("half_width", f"expected a positive number, got {half_width}")
    values = np.linspace(current - half_width, current + half_width, points)
    errors = _losses(example, {index: values}, [sample])
    return ErrorCurve(key, values, errors, current, float(step[TotalError()]), slope, example.learning_rate,
                      updated)


@dataclass(frozen=True)
class ErrorSurface:
    """The dataset's mean loss over a grid of two parameters, the others fixed at today's values."""

    parameters: tuple       # (x parameter, y parameter)
    xs: np.ndarray          # (points,)
    ys: np.ndarray          # (points,)
    losses: np.ndarray      # (len(ys), len(xs))
    start: tuple            # today's (x, y)

    def contains(self, x: float, y: float) -> bool:
        """Whether a point lies inside the plotted square."""
        return bool(self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1])


def error_surface(example: Example, x_parameter, y_parameter, points: int = 61, bounds=None) -> ErrorSurface:
    """The mean loss over a grid of two parameters; ``bounds`` ((x0, x1), (y0, y1)) default to today ± 2."""
    (kx, ix), (ky, iy) = _parameter(example, x_parameter), _parameter(example, y_parameter)
    if kx == ky:
        raise SpecError("parameter", f"expected two different parameters, got {kx!r} twice")
    points = _points(points)
    flat = example.flat_parameters()
    start = (float(flat[ix]), float(flat[iy]))
    if bounds is None:
        bounds = ((start[0] - 2, start[0] + 2), (start[1] - 2, start[1] + 2))
    (x0, x1), (y0, y1) = [(checks.number(a, "bounds"), checks.number(b, "bounds")) for a, b in bounds]
    if not (x0 < x1 and y0 < y1):
        raise SpecError("bounds", f"expected each range low to high, got {bounds!r}")
    xs, ys = np.linspace(x0, x1, points), np.linspace(y0, y1, points)
    losses = _losses(example, {ix: xs[None, :], iy: ys[:, None]}, range(example.n_samples))
    return ErrorSurface((kx, ky), xs, ys, losses, start)


def descent_path(example: Example, x_parameter, y_parameter, learning_rate: float | None = None,
                 epochs: int | None = None) -> tuple:
    """Gradient descent moving only two parameters: ((epochs run + 1, 2) positions, the :class:`Training`)."""
    (kx, ix), (ky, iy) = _parameter(example, x_parameter), _parameter(example, y_parameter)
    run: Training = train(example, epochs=epochs, learning_rate=learning_rate, only=[kx, ky], record_path=True)
    return run.path[:, [ix, iy]], run
