"""The error against one parameter, and the loss landscape of two: artists made once, updated in place.

:class:`ErrorCurvePlot` draws one sample's error against a weight or bias, the tangent at today's
value (its slope the derived ∂E/∂w) and the update η·∂E/∂w as an arrow along the axis.
:class:`LandscapePlot` draws the dataset loss over two parameters as contours, once per surface, and
the gradient-descent path on it, redrawn for each learning rate. Each has a sentence for its text
alternative. Every number comes from :mod:`backprop_tutor.teaching.landscape`; nothing is computed here.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import BoundaryNorm

from ..core.quantities import TotalError, gradient
from .palette import GRID, HIGHLIGHT, INK, NEGATIVE, POSITIVE, figure_number

__all__ = ["ErrorCurvePlot", "LandscapePlot", "curve_sentence", "decimate_path", "path_shape", "path_sentence"]

_TANGENT_REACH = 0.45   # the tangent spans this fraction of the curve's half-width on each side
MAX_PATH_POINTS = 4000  # a zig-zag that never settles is evenly thinned to this many points


def _math(tex: str) -> str:
    return f"${tex}$"


def _slope_tex(namer, parameter) -> str:
    """∂E/∂w written on one line: a fraction's small type is hard to read on a figure."""
    return rf"\partial {namer.tex(TotalError())} / \partial {namer.tex(parameter)}"


# --- one parameter -----------------------------------------------------------------------------------

def curve_sentence(curve, namer, sample_words: str = "") -> str:
    """The text alternative of an error curve: the slope at today's value and where the update goes."""
    p, error = namer.text(curve.parameter), namer.text(TotalError())
    start = (f"{error}{sample_words} against {p} (everything else fixed): at {p} = {figure_number(curve.current)} "
             f"the error is {figure_number(curve.error)} and the slope "
             f"{namer.text(gradient(curve.parameter))} is {figure_number(curve.slope)}")
    if curve.updated == curve.current and curve.slope != 0:
        return start + f"; {p} is not trained in this example, so it stays where it is."
    if curve.slope == 0 and np.ptp(curve.errors) == 0:
        return start + (f": the curve is flat everywhere, because on this sample {error} does not depend on {p} "
                        f"at all, so the update leaves {p} where it is.")
    if curve.slope == 0:
        return start + f": the curve is flat here, so the update leaves {p} where it is."
    where = "downhill" if (curve.updated - curve.current) * curve.slope < 0 else "uphill"
    step = curve.learning_rate * curve.slope
    return start + (f"; the update subtracts η·{namer.text(gradient(curve.parameter))} = {figure_number(step)} "
                    f"and moves {p} to {figure_number(curve.updated)}, {where}.")


class ErrorCurvePlot:
    """E against one parameter, its tangent at today's value, and the update as an arrow to the new value."""

    def __init__(self, ax):
        self.ax, self.figure = ax, ax.figure
        ax.grid(True, color=GRID, lw=0.8)
        bottom = ax.get_xaxis_transform()   # x in data, y as a fraction of the axes
        self.curve = ax.plot([], [], color=POSITIVE, lw=2.4, zorder=3)[0]
        self.tangent = ax.plot([], [], color=HIGHLIGHT, lw=2.2, ls="--", zorder=4)[0]
        self.point = ax.plot([], [], ls="none", marker="o", ms=8, color=INK, zorder=6)[0]
        self.landing = ax.plot([], [], ls="none", marker="o", ms=8, mfc="white", mec=NEGATIVE, mew=2, zorder=6)[0]
        self.guides = ax.plot([], [], color=INK, lw=0.8, ls=":", transform=bottom, zorder=2)[0]
        self.slope_label = ax.annotate("", (0, 0), xytext=(8, 10), textcoords="offset points", ha="left",
                                       va="bottom", color=INK, fontsize=10, zorder=7,
                                       bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": HIGHLIGHT, "lw": 1})
        self.arrow = ax.annotate("", (0, 0.08), xycoords=bottom, xytext=(0, 0.08), textcoords=bottom,
                                 arrowprops={"arrowstyle": "-|>", "color": NEGATIVE, "lw": 2.2,
                                             "mutation_scale": 16}, zorder=7)
        self.step_label = ax.text(0, 0.12, "", transform=bottom, ha="center", va="bottom", color=NEGATIVE,
                                  fontsize=10, zorder=7)
        self.legend = ax.legend([self.curve, self.tangent, self.point, self.landing],
                                ["error", "tangent (the gradient)", "today's value", "after the update"],
                                loc="upper right", fontsize=8)

    def show(self, curve, namer, sample_words: str = "") -> None:
        """Draw an :class:`~backprop_tutor.teaching.landscape.ErrorCurve` with its names from ``namer``."""
        p_tex, p_text = namer.tex(curve.parameter), namer.text(curve.parameter)
        ax = self.ax
        ax.set_xlabel(_math(p_tex))
        ax.set_ylabel(_math(namer.tex(TotalError())) + sample_words)
        self.curve.set_data(curve.values, curve.errors)
        half = (curve.values[-1] - curve.values[0]) / 2
        xs = np.array([curve.current - _TANGENT_REACH * half, curve.current + _TANGENT_REACH * half])
        self.tangent.set_data(xs, curve.tangent(xs))
        self.point.set_data([curve.current], [curve.error])
        self.slope_label.xy = (curve.current, curve.error)
        # Beside the point on the side away from the curve: below-right when it rises, above-right when it falls.
        rising = curve.slope >= 0
        self.slope_label.xyann = (14, -22) if rising else (14, 14)
        self.slope_label.set_verticalalignment("top" if rising else "bottom")
        self.slope_label.set_text(f"slope {_math(_slope_tex(namer, curve.parameter))} = "
                                  f"{figure_number(curve.slope)}")
        moves = curve.updated != curve.current
        after = float(np.interp(curve.updated, curve.values, curve.errors)) if moves else math.nan
        self.landing.set_data([curve.updated] if moves else [], [after] if moves else [])
        self.guides.set_data([curve.current, curve.current, math.nan, curve.updated, curve.updated],
                             [0, 1, math.nan, 0, 1] if moves else [0, 1, math.nan, math.nan, math.nan])
        self.arrow.xy = (curve.updated, 0.08)
        self.arrow.set_position((curve.current, 0.08))
        self.arrow.set_visible(moves)
        if moves:
            self.step_label.set_text(f"η·{_math(_slope_tex(namer, curve.parameter))} = "
                                     f"{figure_number(curve.learning_rate * curve.slope)}: "
                                     f"{p_text} → {figure_number(curve.updated)}")
        else:
            self.step_label.set_text("not trained: no step" if curve.slope else "slope 0: no step")
        self.step_label.set_x((curve.current + curve.updated) / 2)
        finite = curve.errors[np.isfinite(curve.errors)]
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        pad = 0.1 * (high - low) or 0.1 * abs(high) or 0.1
        # Room at the bottom for the arrow and its label.
        ax.set_ylim(low - 3 * pad, high + 1.5 * pad)
        ax.set_xlim(curve.values[0], curve.values[-1])
        ax.set_title(f"{_math(namer.tex(TotalError()))} against {_math(p_tex)}", fontsize=11)
        # The legend goes where the curve is not: the upper corner on the low side of the slope.
        self.legend.set_loc("upper left" if curve.slope >= 0 else "upper right")
        for handle, text, visible in zip(self.legend.legend_handles, self.legend.texts, (True, True, True, moves)):
            handle.set_visible(visible)
            text.set_visible(visible)


# --- two parameters ----------------------------------------------------------------------------------

def decimate_path(path, bounds, pixels: int = 600, max_points: int = MAX_PATH_POINTS) -> np.ndarray:
    """Indices of the path's points to draw: each where the path enters another pixel, first and last kept.

    A path that creeps along sheds most of its points; one that zig-zags keeps every turn it
    makes (each moves it into another pixel), up to ``max_points``. Past that (a path that
    jitters across a pixel's edge) only moves of a pixel or more from the last point kept stay,
    and what is still too many is thinned evenly.
    """
    path = np.asarray(path, dtype=float)
    if len(path) <= 2:
        return np.arange(len(path))
    (x0, x1), (y0, y1) = bounds
    pixel = np.array([(x1 - x0) / pixels, (y1 - y0) / pixels])
    with np.errstate(invalid="ignore", over="ignore"):
        cells = np.floor((path - (x0, y0)) / pixel)
    # One comparison over the whole path (not a loop over 20,000 epochs): a point is kept when its
    # pixel differs from the point before's.
    moved = np.any(cells[1:] != cells[:-1], axis=1)
    kept = np.concatenate([[0], np.flatnonzero(moved[:-1]) + 1, [len(path) - 1]])
    if len(kept) > max_points:
        kept = _pixel_moves(path, kept, pixel)
    if len(kept) > max_points:
        kept = kept[np.unique(np.linspace(0, len(kept) - 1, max_points).round().astype(int))]
    return kept


def _pixel_moves(path, candidates, pixel) -> np.ndarray:
    """Of ``candidates`` (indices), those at least a pixel from the last one kept; first and last kept."""
    points = path[candidates].tolist()
    (px, py), (lx, ly) = pixel.tolist(), points[0]
    kept = [0]
    for k in range(1, len(points) - 1):
        x, y = points[k]
        if abs(x - lx) >= px or abs(y - ly) >= py:
            kept.append(k)
            lx, ly = x, y
    kept.append(len(points) - 1)
    return candidates[kept]


def path_shape(path, surface, run, pixels: int = 600) -> dict:
    """What a descent path did, in numbers: epochs inside the plot, turns, how fast it moved, divergence."""
    path = np.asarray(path, dtype=float)
    x, y = path.T
    inside = (surface.xs[0] <= x) & (x <= surface.xs[-1]) & (surface.ys[0] <= y) & (y <= surface.ys[-1])
    left = int(np.argmin(inside)) if not inside.all() else None
    steps = np.diff(path, axis=0)
    # A turn: a visible step (a pixel or more) that goes back against the one before: it overshot the valley.
    pixel = min(surface.xs[-1] - surface.xs[0], surface.ys[-1] - surface.ys[0]) / pixels
    lengths = np.hypot(*steps.T) if len(steps) else np.zeros(0)
    seen = lengths[1:] >= pixel
    turns = int(np.sum((np.einsum("ij,ij->i", steps[1:], steps[:-1]) < 0) & seen)) if len(steps) > 1 else 0
    total = float(lengths.sum())
    epochs = len(path) - 1
    half = int(np.searchsorted(np.cumsum(lengths), total / 2)) + 1 if total > 0 else 0
    tail = max(len(lengths) // 10, 1)
    still_moving = bool(total > 0 and lengths[-tail:].sum() > 0.1 * total)
    return {"left_at": left, "turns": turns, "halfway": half, "creeps": still_moving or half > 0.1 * epochs,
            "diverged_at": run.diverged_at, "epochs": epochs}


def _epochs(n: int) -> str:
    return f"{n} epoch{'' if n == 1 else 's'}"


def path_sentence(path, surface, run, namer, rate_text: str) -> str:
    """The descent path in words: how it moved (creeps, glides, zig-zags, leaves), where it ended, the loss there."""
    (kx, ky), n = surface.parameters, run.example.n_samples
    x_name, y_name = namer.text(kx), namer.text(ky)
    loss = namer.dataset_loss(n)[1]
    shape = path_shape(path, surface, run)
    epochs = shape["epochs"]
    start = f"{x_name} = {figure_number(path[0][0])}, {y_name} = {figure_number(path[0][1])}"
    end = f"{x_name} = {figure_number(path[-1][0])}, {y_name} = {figure_number(path[-1][1])}"
    head = f"At η = {rate_text}, training only {x_name} and {y_name} from {start}: "
    turns = (f", turning back {shape['turns']} time{'' if shape['turns'] == 1 else 's'} on the way"
             if shape["turns"] else "")
    if shape["diverged_at"] is not None:
        left = (f"the path leaves the plot after {_epochs(shape['left_at'])}{turns}, and "
                if shape["left_at"] is not None else "")
        return head + (f"{left}the loss becomes infinite at epoch {shape['diverged_at']}: gradient descent "
                       f"diverged. Its last finite point is {end}.")
    if shape["left_at"] is not None:
        turned = f" (it turns back {shape['turns']} time{'' if shape['turns'] == 1 else 's'} in all)" \
            if shape["turns"] else ""
        return head + (f"the path stays inside the plot for {_epochs(shape['left_at'])}, then leaves it{turned}. "
                       f"After {_epochs(epochs)} it ends outside, at {end}, where {loss} = "
                       f"{figure_number(run.loss)}.")
    if shape["turns"] >= 3 and shape["turns"] >= 0.02 * max(epochs, 1):
        how = f"the path zig-zags: it overshoots and turns back {shape['turns']} times"
    elif shape["creeps"]:
        how = f"the path creeps: it takes {_epochs(shape['halfway'])} to cover half its way"
    else:
        how = f"the path glides: it covers half its way in the first {_epochs(shape['halfway'])}{turns}"
    return head + (f"{how}. After {_epochs(epochs)} it ends at {end}, where {loss} = {figure_number(run.loss)} "
                   "(the minimum it found).")


class LandscapePlot:
    """Contours of the loss over two parameters (drawn once per surface) and the descent path (per rate)."""

    def __init__(self, ax, pixels: int = 600):
        self.ax, self.figure, self.pixels = ax, ax.figure, pixels
        self.contours = None
        self.surface = None
        self.path_line = ax.plot([], [], color=NEGATIVE, lw=1.8, marker=".", ms=4, zorder=5)[0]
        self.start = ax.plot([], [], ls="none", marker="o", ms=10, color=INK, mfc="white", mew=2.2, zorder=6)[0]
        self.end = ax.plot([], [], ls="none", marker="*", ms=16, color=HIGHLIGHT, mec=INK, zorder=7)[0]
        self.end_label = ax.annotate("", (0, 0), xytext=(8, -4), textcoords="offset points", ha="left", va="top",
                                     fontsize=10, color=INK, zorder=8,
                                     bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": INK, "lw": 0.6})
        self.left_note = ax.text(0.02, 0.97, "", transform=ax.transAxes, ha="left", va="top", color=NEGATIVE,
                                 fontsize=11, fontweight="bold", zorder=8)
        self.legend = ax.legend([self.path_line, self.start, self.end], ["descent path", "start", "minimum found"],
                                loc="lower right", fontsize=8)
        self.shown_indices = np.zeros(0, dtype=int)

    def artists(self) -> list:
        """The artists ``show_path`` changes (a layered canvas redraws only these while the surface stays)."""
        return [self.path_line, self.start, self.end, self.end_label, self.left_note, self.legend]

    def show_surface(self, surface, namer, n_samples: int) -> None:
        """Draw the contours of a new :class:`~backprop_tutor.teaching.landscape.ErrorSurface` (replacing the old)."""
        if self.contours is not None:
            self.contours.remove()
        losses = np.where(np.isfinite(surface.losses) & (surface.losses > 0), surface.losses, np.nan)
        # Levels at quantiles: each band covers about as much of the plot, so a flat valley floor shows too.
        levels = np.unique(np.nanquantile(losses, np.linspace(0, 1, 17)))
        if len(levels) < 2:
            levels = np.array([levels[0], levels[0] * 1.0001 + 1e-12])
        self.contours = self.ax.contourf(surface.xs, surface.ys, losses, levels=levels, cmap="cividis",
                                         norm=BoundaryNorm(levels, 256), zorder=1)
        kx, ky = surface.parameters
        self.ax.set_title(f"{_math(namer.dataset_loss(n_samples)[0])} over {_math(namer.tex(kx))} and "
                          f"{_math(namer.tex(ky))} (darker is lower)", fontsize=11)
        self.ax.set_xlabel(_math(namer.tex(kx)))
        self.ax.set_ylabel(_math(namer.tex(ky)))
        self.ax.set_xlim(surface.xs[0], surface.xs[-1])
        self.ax.set_ylim(surface.ys[0], surface.ys[-1])
        self.surface = surface
        # A new surface can land where the old one's memory was (the same id): redraw the background.
        invalidate = getattr(self.figure.canvas, "invalidate", None)
        if invalidate is not None:
            invalidate()

    def show_path(self, path, run, namer) -> None:
        """Draw a descent path (decimated to the plot's pixels), its start, and its end with the loss there."""
        s = self.surface
        bounds = ((s.xs[0], s.xs[-1]), (s.ys[0], s.ys[-1]))
        path = np.asarray(path, dtype=float)
        self.shown_indices = decimate_path(path, bounds, self.pixels)
        shown = path[self.shown_indices]
        self.path_line.set_data(shown[:, 0], shown[:, 1])
        self.start.set_data([path[0, 0]], [path[0, 1]])
        x, y = path[-1]
        inside = s.contains(x, y) and run.diverged_at is None
        self.end.set_data([x] if inside else [], [y] if inside else [])
        loss = namer.dataset_loss(run.example.n_samples)[0]
        self.end_label.xy = (x, y)
        self.end_label.set_text(f"minimum found: {_math(loss)} = {figure_number(run.loss)}")
        self.end_label.set_visible(inside)
        shape = path_shape(path, s, run)
        if run.diverged_at is not None:
            self.left_note.set_text(f"diverged at epoch {run.diverged_at}")
        elif shape["left_at"] is not None:
            self.left_note.set_text(f"leaves the plot at epoch {shape['left_at']}")
        else:
            self.left_note.set_text("")
        handles = (True, True, inside)
        for handle, text, visible in zip(self.legend.legend_handles, self.legend.texts, handles):
            handle.set_visible(visible)
            text.set_visible(visible)
