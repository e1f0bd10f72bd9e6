"""The colours every figure shares, and how a figure prints a number.

Colours are Okabe–Ito: distinguishable with every common colour-vision deficiency. Wherever a
colour carries meaning, a line style, marker or label carries it too.
"""

from __future__ import annotations

from ..teaching.formatting import fmt

__all__ = [
    "EARLIER",
    "FADED_ALPHA",
    "FADED_INK",
    "FILLS",
    "GRID",
    "HIGHLIGHT",
    "HIGHLIGHT_FILL",
    "INK",
    "NEGATIVE",
    "NEUTRAL",
    "OKABE_ITO",
    "POSITIVE",
    "figure_number",
]

POSITIVE = "#0072B2"     # blue, solid line
NEGATIVE = "#D55E00"     # vermillion, dashed line
HIGHLIGHT = "#E69F00"    # orange, thick
NEUTRAL = "#6E6E6E"      # edges into the error node, and weights not known yet
INK = "#222222"          # text and outlines
EARLIER = "#8C8C8C"      # earlier runs on a loss curve
GRID = "#E4E4E4"
FILLS = {"input": "#D6E8F5", "hidden": "#DDF0E6", "output": "#F3DDEA", "bias": "#EBEBEB", "error": "#FFFFFF"}
HIGHLIGHT_FILL = "#FFE0A3"
FADED_ALPHA = 0.28       # shapes (not text) that are not highlighted while something is
# Text that is not highlighted while something is: faded by colour, never by transparency, so it
# keeps 4.5:1 (WCAG AA) against white and every node fill (test_diagram checks it).
FADED_INK = "#5F5F5F"
# One colour per series (output neuron), in Okabe and Ito's order.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def figure_number(value) -> str:
    """A value as a figure prints it: four significant digits (room is short on a figure)."""
    return fmt(value, 4)
