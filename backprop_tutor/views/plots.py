"""Training plots that make their artists once and update them in place: loss, outputs, sweeps.

Each class takes a Matplotlib Axes and a ``show`` method replaces the data of artists it
created in ``__init__``; nothing is added per call, so a slider can call it hundreds of times.
Colours are Okabe–Ito, and every meaning carried by colour is also carried by a marker or label.
"""

from __future__ import annotations

import functools
import inspect
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.mathtext import MathTextParser

from .palette import EARLIER, GRID, HIGHLIGHT, INK, NEGATIVE, OKABE_ITO, POSITIVE, figure_number

__all__ = ["MATHTEXT_CACHE", "LayeredCanvas", "LossCurve", "OutputBars", "SweepCurve", "decimate", "decimate_columns",
           "keep_more_mathtext", "steady_log_limits"]

#: How many parsed labels matplotlib keeps. Its own cache holds 50 per parser, and each SVG export
#: makes a new parser (a new renderer), so every diagram drawn parsed each of its labels again:
#: most of a notation switch's or preset change's time.
MATHTEXT_CACHE = 1024


def keep_more_mathtext(size: int = MATHTEXT_CACHE) -> None:
    """Let every matplotlib mathtext parser share one cache of ``size`` parsed labels (idempotent)."""
    current = getattr(MathTextParser, "_parse_cached", None)
    if current is None or getattr(current, "shared_by_backprop_tutor", False):
        return
    original = getattr(current, "__wrapped__", current)
    # A private matplotlib method: patch it only while it has the shape this was written for
    # (matplotlib 3.11); any other shape keeps matplotlib's own cache, and only the speed-up is lost.
    try:
        if list(inspect.signature(original).parameters) != ["self", "s", "dpi", "prop", "antialiased",
                                                             "load_glyph_flags"]:
            return
    except (TypeError, ValueError):
        return
    parsers: dict = {}

    @functools.lru_cache(size)
    def shared(output_type, text, dpi, prop, antialiased, flags):
        return original(parsers[output_type], text, dpi, prop, antialiased, flags)

    def parse_cached(self, text, dpi, prop, antialiased, load_glyph_flags):
        # A parse depends on the output type only (the parser itself is class-wide), not on the instance.
        parsers.setdefault(self._output_type, self)
        return shared(self._output_type, text, dpi, prop, antialiased, load_glyph_flags)

    parse_cached.__wrapped__ = original
    parse_cached.cache_info = shared.cache_info
    parse_cached.shared_by_backprop_tutor = True
    MathTextParser._parse_cached = parse_cached


keep_more_mathtext()

MAX_POINTS = 2000


def decimate(y, max_points: int = MAX_POINTS) -> tuple:
    """(x, y) with at most about ``max_points`` evenly spaced points, always keeping the first and last."""
    y = np.asarray(y, dtype=float).ravel()
    if len(y) <= max_points:
        index = np.arange(len(y))
    else:
        index = np.unique(np.linspace(0, len(y) - 1, max_points).round().astype(int))
    return index, y[index]


def decimate_columns(y, columns: int) -> tuple:
    """(x, y): the first and last points and, per column of consecutive points, its lowest and highest.

    With ``columns`` at least the plot's pixel width, each column is at most a pixel wide, so the
    line drawn through what is kept looks the same as the whole curve: every spike stays. A curve
    of at most ``2 * columns + 2`` points is returned whole.
    """
    y = np.asarray(y, dtype=float).ravel()
    n = len(y)
    if n <= 2 * columns + 2:
        return np.arange(n), y
    width = -(-n // columns)            # points per column, rounded up: never more than ``columns`` columns
    rows = -(-n // width)
    block = np.full(rows * width, np.nan)
    block[:n] = y
    block = block.reshape(rows, width)
    # The padding (and a NaN gap) never wins: a NaN would win both argmin and argmax.
    gaps = np.isnan(block)
    lows = np.argmin(np.where(gaps, np.inf, block), axis=1)
    highs = np.argmax(np.where(gaps, -np.inf, block), axis=1)
    starts = np.arange(rows) * width
    index = np.unique(np.concatenate([[0, n - 1], starts + lows, starts + highs]))
    index = index[index < n]
    return index, y[index]


#: Decades of room above the highest and below the lowest curve on a loss axis.
_ROOM = 0.15
#: A loss axis's limits snap out to whole decades and stay while the curves fit in them with room:
#: most slider changes then keep the axis, so only the curves are redrawn (new ticks cost far more).
_SNAP = 1.0


def steady_log_limits(current, low: float, high: float) -> tuple:
    """Log-axis limits holding ``low``..``high`` with :data:`_ROOM`: ``current`` while they fit, else new ones.

    New limits are the tight ones snapped outwards to :data:`_SNAP` decades; they are kept while
    the curves stay inside with at least a third of the room and the axis is at most a snap looser.
    """
    need = (math.log10(low) - _ROOM, math.log10(high) + _ROOM)
    if current is not None and current[0] > 0 and current[1] > current[0]:
        bottom, top = math.log10(current[0]), math.log10(current[1])
        fits = bottom <= need[0] + 2 * _ROOM / 3 and top >= need[1] - 2 * _ROOM / 3
        snug = bottom >= need[0] - _SNAP - _ROOM and top <= need[1] + _SNAP + _ROOM
        if fits and snug:
            return tuple(current)
    return 10 ** (math.floor(need[0] / _SNAP) * _SNAP), 10 ** (math.ceil(need[1] / _SNAP) * _SNAP)


def _positive(y) -> np.ndarray:
    """Values a log axis can draw; others become gaps."""
    y = np.array(y, dtype=float)
    y[~(np.isfinite(y) & (y > 0))] = np.nan
    return y


class LossCurve:
    """Loss against epoch on a log scale: the current run strong, up to ``pool`` earlier runs faint.

    The legend sits above the axes, out of the curves' way, and is rebuilt only when its entries
    change: a redraw for a new run (:class:`LayeredCanvas`) then draws the curves and the run's
    label, not the legend, whose layout costs more than the curves themselves.
    """

    def __init__(self, ax, *, pool: int = 8, max_points: int = MAX_POINTS, name: str = "current run"):
        self.ax, self.figure, self.max_points, self.name = ax, ax.figure, max_points, name
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (log scale)")
        ax.grid(True, which="major", color=GRID, lw=0.8)
        self.earlier = [ax.plot([], [], color=EARLIER, lw=1.1, alpha=0.55, zorder=2, visible=False)[0]
                        for _ in range(pool)]
        self.current = ax.plot([], [], color=POSITIVE, lw=2.4, zorder=3)[0]
        self.diverged_marker = ax.plot([], [], ls="none", marker="X", ms=11, color=NEGATIVE, mec="white",
                                       zorder=4, visible=False)[0]
        self.note = ax.text(0.03, 0.04, "", transform=ax.transAxes, ha="left", va="bottom", color=NEGATIVE,
                            fontsize=12, fontweight="bold", visible=False, zorder=5)
        # The run's label (a learning rate) above the axes' left end; the legend takes the right.
        self.label = ax.text(0.0, 1.02, "", transform=ax.transAxes, ha="left", va="bottom", color=POSITIVE,
                             fontsize=10, fontweight="bold")
        self.legend, self._legend_key = None, None
        self._next, self._shown = 0, False
        self._limits = None   # the y limits _rescale set last (None: none yet)
        self._sync_legend()

    def show(self, history, label: str | None = None, diverged_at: int | None = None, keep_previous: bool = True):
        """Draw a run's loss history; the previous run fades into the earlier runs unless ``keep_previous`` is False."""
        y = np.asarray(history, dtype=float).ravel()
        if diverged_at is not None:
            y = y[:max(int(diverged_at), 0)]
        if self._shown and keep_previous:
            old = self.earlier[self._next]
            old.set_data(*self.current.get_data())
            old.set_visible(True)
            self._next = (self._next + 1) % len(self.earlier)
        x, y = decimate_columns(y, self._columns())
        y = _positive(y)
        self.current.set_data(x, y)
        self._shown = True
        self.label.set_text(label or "")
        finite = np.flatnonzero(np.isfinite(y))
        if diverged_at is not None:
            self.note.set_text(f"diverged at epoch {int(diverged_at)}")
            if len(finite):
                self.diverged_marker.set_data([x[finite[-1]]], [y[finite[-1]]])
        self.note.set_visible(diverged_at is not None)
        self.diverged_marker.set_visible(diverged_at is not None and len(finite) > 0)
        self._rescale()

    def _columns(self) -> int:
        """Columns to decimate a curve to: the axes' width in pixels, and at most ``max_points`` points."""
        return max(1, min(int(self.ax.bbox.width), (self.max_points - 2) // 2))

    def artists(self) -> list:
        """The artists ``show`` changes (a :class:`LayeredCanvas` redraws only these while the axes stay)."""
        return [*self.earlier, self.current, self.diverged_marker, self.note, self.label]

    def clear_history(self):
        """Forget the earlier runs (the current run stays)."""
        for line in self.earlier:
            line.set_data([], [])
            line.set_visible(False)
        self._next = 0
        self._rescale()

    def _rescale(self):
        """Fit the visible runs; a run that blows up leaves through the top (at most 10^4 x its start)."""
        self._sync_legend()
        lines = [self.current] + [line for line in self.earlier if line.get_visible()]
        data = [np.asarray(line.get_data(), dtype=float) for line in lines if len(line.get_xdata())]
        ys = [d[1][np.isfinite(d[1])] for d in data]
        ys = [y for y in ys if len(y)]
        if not ys:
            return
        low = min(float(y.min()) for y in ys)
        high = min(max(float(y.max()) for y in ys), 1e4 * max(float(y[0]) for y in ys), 1e300)
        self.ax.set_xlim(0, max(float(d[0].max()) for d in data) * 1.02 or 1.0)
        self.ax.set_ylim(steady_log_limits(self._limits, low, max(high, low * 10)))
        self._limits = self.ax.get_ylim()
        if self.diverged_marker.get_visible():   # keep the mark in view when the run leaves the top
            x, y = self.diverged_marker.get_data()
            bottom, top = np.log10(self.ax.get_ylim())
            self.diverged_marker.set_data(x, [min(float(y[0]), 10 ** (top - 0.05 * (top - bottom)))])

    def _sync_legend(self):
        """The legend of the entries shown (an absent one takes no room), rebuilt only when they change."""
        entries = [(self.current, self.name)]
        if any(line.get_visible() for line in self.earlier):
            entries.append((self.earlier[0], "earlier runs"))
        if self.diverged_marker.get_visible():
            entries.append((self.diverged_marker, "diverged"))
        key = tuple(name for _, name in entries)
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend = self.ax.legend(*zip(*entries), loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=len(entries),
                                     fontsize=9, frameon=False, borderaxespad=0.2)
        for handle in self.legend.legend_handles:   # a handle copies its line's visibility at this moment
            handle.set_visible(True)


class OutputBars:
    """The network's outputs as bars beside black target lines, per output neuron and sample."""

    def __init__(self, ax):
        self.ax, self.figure = ax, ax.figure
        ax.set_ylabel("value")
        ax.set_xlabel("output neuron")
        ax.axhline(0.0, color=INK, lw=0.8, zorder=1)
        self.bars, self.texts, self.target_line = None, [], None
        self._key = None

    def show(self, outputs, targets, names=None):
        """Show outputs against targets: one row per sample, or a single row of outputs."""
        out = np.atleast_2d(np.asarray(outputs, dtype=float))
        tgt = np.atleast_2d(np.asarray(targets, dtype=float))
        if out.shape != tgt.shape:
            raise ValueError(f"outputs: expected the targets' shape {tgt.shape}, got {out.shape}")
        names = list(names) if names is not None else [f"output {j + 1}" for j in range(out.shape[1])]
        if self._key != (out.shape, tuple(names)):
            self._build(out.shape, names)
        for bar, text, value in zip(self.bars, self.texts, out.ravel()):
            bar.set_height(value if math.isfinite(value) else 0.0)
            text.xy = (bar.get_x() + bar.get_width() / 2, value if math.isfinite(value) else 0.0)
            text.set_text(figure_number(value))
            text.set_verticalalignment("top" if value < 0 else "bottom")
            text.xyann = (0, -3 if value < 0 else 3)
        t = tgt.ravel()
        self.target_line.set_ydata(np.column_stack([t, t, np.full(t.size, np.nan)]).ravel())
        finite = np.concatenate([out[np.isfinite(out)], tgt.ravel()])
        low, high = min(0.0, finite.min()), max(1.0, finite.max())
        pad = 0.12 * (high - low)
        self.ax.set_ylim(low - (pad if low < 0 else 0.04 * (high - low)), high + pad)

    def artists(self) -> list:
        """The artists ``show`` changes: bars, their values and the target line (the axes stay)."""
        if self.bars is None:
            return []
        return [*self.bars.patches, *self.texts, self.target_line]

    def _build(self, shape, names):
        """Make the bars, value texts and target line for one shape (only when the shape changes)."""
        for artist in ([self.bars] if self.bars is not None else []) + self.texts + [self.target_line]:
            if artist is not None:
                artist.remove()
        samples, n = shape
        width = 0.8 / n
        x = np.array([s + (j - (n - 1) / 2) * width for s in range(samples) for j in range(n)])
        colours = [OKABE_ITO[j % len(OKABE_ITO)] for _ in range(samples) for j in range(n)]
        self.bars = self.ax.bar(x, np.zeros(len(x)), width=0.9 * width, color=colours, edgecolor=INK,
                                linewidth=0.8, zorder=2)
        self.texts = [self.ax.annotate("", (xi, 0), xytext=(0, 3), textcoords="offset points", ha="center",
                                       va="bottom", fontsize=9 if len(x) <= 8 else 7, color=INK,
                                       visible=len(x) <= 16) for xi in x]
        half = 0.45 * width
        xs = np.column_stack([x - half, x + half, np.full(len(x), np.nan)]).ravel()
        self.target_line = self.ax.plot(xs, np.zeros(len(xs)), color=INK, lw=3, zorder=3)[0]
        if samples == 1:
            self.ax.set_xticks(x, names)
            self.ax.set_xlabel("output neuron")
            handles, labels = [self.target_line], ["target"]
        else:
            self.ax.set_xticks(range(samples), [f"sample {s + 1}" for s in range(samples)])
            self.ax.set_xlabel("sample")
            handles = list(self.bars.patches[:n]) + [self.target_line]
            labels = names + ["target"]
        self.ax.set_xlim(-0.6, samples - 0.4)
        self.ax.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=9, frameon=False,
                       ncols=min(len(labels), 5))
        self._key = (shape, tuple(names))


class SweepCurve:
    """Final loss against learning rate (log-log); diverged rates are x marks along the top."""

    def __init__(self, ax):
        self.ax, self.figure = ax, ax.figure
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("learning rate η (log scale)")
        ax.set_ylabel("final loss (log scale)")
        ax.grid(True, which="major", color=GRID, lw=0.8)
        top = ax.get_xaxis_transform()   # x in data, y as a fraction of the axes
        self.line = ax.plot([], [], color=POSITIVE, marker="o", ms=4, lw=1.8, zorder=3)[0]
        self.diverged = ax.plot([], [], ls="none", marker="x", ms=9, mew=2.2, color=NEGATIVE, transform=top,
                                zorder=4)[0]
        self.marker = ax.plot([1.0, 1.0], [0.0, 1.0], color=HIGHLIGHT, lw=2.5, transform=top, zorder=5,
                              visible=False)[0]
        self.marker_text = ax.annotate("", (1.0, 0.03), xycoords=top, xytext=(5, 0), textcoords="offset points",
                                       ha="left", va="bottom", color=INK, fontsize=10, visible=False, zorder=6)
        self.legend = ax.legend([self.line, self.diverged, self.marker],
                                ["final loss", "diverged", "current rate"], loc="lower left", fontsize=9)
        ax.set_xlim(1e-3, 10.0)
        ax.set_ylim(1e-4, 1.0)

    def show(self, rates, final_loss=None, diverged=None):
        """Draw a sweep: a :class:`~backprop_tutor.core.sweeping.Sweep`, or rates with final losses."""
        if hasattr(rates, "learning_rates"):
            rates, final_loss, diverged = rates.learning_rates, rates.final_loss, rates.diverged_at >= 0
        rates = np.asarray(rates, dtype=float).ravel()
        loss = np.asarray(final_loss, dtype=float).ravel()
        failed = ~np.isfinite(loss) if diverged is None else np.asarray(diverged, dtype=bool).ravel()
        ok = ~failed & np.isfinite(loss) & (loss > 0)
        self.line.set_data(rates[ok], loss[ok])
        self.diverged.set_data(rates[failed], np.full(failed.sum(), 0.94))
        positive = rates[rates > 0]
        if len(positive):
            self.ax.set_xlim(positive.min() / 1.5, positive.max() * 1.5)
        if ok.any():
            self.ax.set_ylim(loss[ok].min() / 2.0, loss[ok].max() * 4.0)   # room for the x marks on top
        for handle, text, visible in zip(self.legend.legend_handles, self.legend.texts,
                                         (True, bool(failed.any()), self.marker.get_visible())):
            handle.set_visible(visible)
            text.set_visible(visible)

    def mark(self, rate: float):
        """Move the vertical line that marks the learning rate the slider is at."""
        self.marker.set_xdata([rate, rate])
        self.marker.set_visible(True)
        self.marker_text.xy = (rate, 0.03)
        self.marker_text.set_text(f"η = {figure_number(float(rate))}")
        self.marker_text.set_visible(True)
        self.legend.legend_handles[2].set_visible(True)
        self.legend.texts[2].set_visible(True)


def _static_key(figure, moving: set) -> tuple:
    """What the cached background depends on: sizes, each axes' place, limits, scales, labels, other artists."""
    parts = [figure.canvas.get_width_height(physical=True), figure.dpi]
    for ax in figure.axes:
        parts += [ax.get_position().bounds, ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(),
                  ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), ax.title.get_fontsize(),
                  ax.xaxis.label.get_fontsize(), ax.yaxis.label.get_fontsize(),
                  tuple((id(a), a.get_visible()) for a in ax.get_children() if id(a) not in moving)]
    return tuple(parts)


class LayeredCanvas(FigureCanvasAgg):
    """An Agg canvas that redraws only the artists that change; the rest is a cached background.

    ``moving()`` lists the artists a plot's ``show`` updates. ``draw`` draws everything else once
    (with those hidden), keeps the pixels, and from then on restores them and draws only the
    moving artists on top, until anything else changes: a figure size, an axes' place, limits,
    scale, title or labels, an artist added, removed, shown or hidden (or :meth:`invalidate`).
    ``savefig`` and the like draw the whole figure as ever.
    """

    def __init__(self, figure, moving):
        super().__init__(figure)
        self.moving = moving
        self.background = None
        self.background_draws = 0   # how often the background was drawn (the rest were partial redraws)
        self._key = None

    def invalidate(self) -> None:
        """Draw the background again at the next draw (something outside the moving artists changed)."""
        self.background = None

    def draw(self):
        """Restore the background and draw the moving artists; draw the background first when it changed."""
        engine = self.figure.get_layout_engine()
        if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
            # The layout is still to be made: one whole draw, with every artist where it counts.
            self.background = None
            super().draw()
            return
        moving = [a for a in self.moving() if a is not None]
        ids = {id(a) for a in moving}
        if self.background is None or _static_key(self.figure, ids) != self._key:
            self._draw_background(moving)
            self._key = _static_key(self.figure, ids)
        else:
            self.restore_region(self.background)
        renderer = self.get_renderer()
        axes = {ax: k for k, ax in enumerate(self.figure.axes)}
        # In each axes' order, then by zorder, as a whole draw would stack them.
        for artist in sorted(moving, key=lambda a: (axes.get(a.axes, -1), a.get_zorder())):
            artist.draw(renderer)

    def _draw_background(self, moving) -> None:
        shown = [a.get_visible() for a in moving]
        for artist in moving:
            artist.set_visible(False)
        try:
            super().draw()
        finally:
            for artist, visible in zip(moving, shown):
                artist.set_visible(visible)
        self.background = self.copy_from_bbox(self.figure.bbox)
        self.background_draws += 1
