"""Training with a common mistake beside training without it: loss curves, one panel per mistake.

The numbers come from :mod:`backprop_tutor.teaching.mistakes` (each mistake is a variant of the
derivation); this module only draws them. Figures are ``matplotlib.figure.Figure`` on the Agg
canvas, never pyplot, and every figure goes out with a text alternative and a caption.
"""

from __future__ import annotations

import base64
import html
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from IPython.display import HTML
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..core.engine import Training, train
from ..core.example_files import load_example
from ..core.spec import Example
from ..teaching.mistakes import MISTAKES, applicability, train_with_mistake, training_summary
from .figures import figure_png
from .palette import EARLIER, GRID, INK, NEGATIVE, POSITIVE
from .plots import decimate

__all__ = ["mistake_training_figure", "show_mistake_training"]


def _as_example(example: str | Path | Example) -> Example:
    return example if isinstance(example, Example) else load_example(example)


def _ids(example: Example, mistake_ids: str | Sequence[str] | None) -> list:
    if mistake_ids is None:
        return [m for m in MISTAKES if applicability(example, m) is None]
    ids = [mistake_ids] if isinstance(mistake_ids, str) else list(mistake_ids)
    for m in ids:
        note = applicability(example, m)  # also rejects an unknown id
        if note is not None:
            raise ValueError(note)
    return ids


def _curve(ax, history, **style) -> None:
    x, y = decimate(history)
    y = np.where(np.isfinite(y) & (y > 0), y, np.nan)
    ax.plot(x, y, **style)


def mistake_training_figure(example: str | Path | Example, runs: dict, right: Training) -> Figure:
    """One panel per mistake: its loss curve (solid) over the right one (grey, dashed), on a log scale."""
    example = _as_example(example)
    count = len(runs)
    columns = min(count, 4)
    rows = -(-count // columns)
    width = 6.4 if count == 1 else 4.0 * columns
    fig = Figure(figsize=(width, 3.4 * rows + 0.5), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    # Each panel its own error scale: one mistake may reach 1e-30 where another stays near 1.
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax, (mistake_id, run) in zip(axes.flat, runs.items()):
        ax.set_yscale("log")
        ax.grid(True, which="major", color=GRID, lw=0.8)
        _curve(ax, right.loss_history, color=EARLIER, lw=1.6, ls="--", label="right")
        colour = NEGATIVE if run.diverged_at is not None or run.loss > run.loss_history[0] else POSITIVE
        _curve(ax, run.loss_history, color=colour, lw=2.2, label="with the mistake")
        if run.diverged_at is not None:
            last = len(run.loss_history) - 1
            if last >= 0:
                ax.plot([last], [run.loss_history[-1]], ls="none", marker="X", ms=10, color=NEGATIVE, mec="white",
                        label="diverged")
        ax.set_title(textwrap.fill(MISTAKES[mistake_id].title, 38), fontsize=9, color=INK)
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, loc="lower left")
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel("error (log scale)", fontsize=8)
    which = "each mistake" if count > 1 else "the mistake"
    fig.suptitle(f"Training the example {example.name!r} with {which} (solid) and without (dashed)", fontsize=11,
                 color=INK)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / fig.get_figheight()))
    return fig


def show_mistake_training(example: str | Path | Example = "mazur", mistake_ids: str | Sequence[str] | None = None,
                          epochs: int | None = None) -> HTML:
    """Train with each mistake (default: every one that applies) and without; show the loss curves side by side,
    with one sentence per mistake as the caption (and the image's text alternative)."""
    example = _as_example(example)
    ids = _ids(example, mistake_ids)
    right = train(example, epochs=epochs)
    runs = {m: train_with_mistake(example, m, epochs=epochs) for m in ids}
    fig = mistake_training_figure(example, runs, right)
    sentences = [training_summary(right, run, m) for m, run in runs.items()]
    alt = (f"Loss curves on a log scale: the example {example.name!r} trained for {right.epochs} epochs with and "
           f"without {'each mistake' if len(ids) > 1 else 'the mistake'}. The caption below says how each run ends.")
    data = base64.b64encode(figure_png(fig, dpi=100)).decode("ascii")
    caption = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return HTML(f'<figure style="margin:0"><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
                f'style="max-width:100%"><figcaption><ul>{caption}</ul></figcaption></figure>')
