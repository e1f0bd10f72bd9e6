"""Issue 11: re-running a cell must not grow memory. A cell that builds a step-through and a
learning-rate explorer on one tutorial, run 100 times, leaves the live widgets and the matplotlib
figures as they were after the first run, and grows the resident memory by under 20 MB.
"""

from __future__ import annotations

import gc

import ipywidgets as w
from matplotlib.figure import Figure

from backprop_tutor.views.widgets import LearningRateExplorer, StepThrough, Tutorial
from backprop_tutor.views.widgets.base import owned_widgets

RERUNS = 100
RSS_GROWTH_MB = 20
# Caches (fonts, text layouts, the allocator's arenas) fill during the first runs: about 10 MB in a
# step over the first ten, flat after. Counting from there, a leak still grows with every rerun.
WARM_UP = 10


def resident_mb() -> float:
    """This process's resident memory, in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import resource
    return pages * resource.getpagesize() / 2**20


def live_widgets() -> int:
    """Widgets with an open comm (ipywidgets' registry of live widgets)."""
    return len(w.widgets.widget._instances)


def figures() -> int:
    """Matplotlib Figure objects alive in this process."""
    return sum(isinstance(o, Figure) for o in gc.get_objects())


def counts() -> tuple:
    """(live widgets, figures, resident MB) after a full collection."""
    gc.collect()
    return live_widgets(), figures(), resident_mb()


def test_100_reruns_of_a_cell_keep_widgets_figures_and_memory_flat():
    tutorial = Tutorial("mazur")

    def cell():
        StepThrough(tutorial)
        LearningRateExplorer(tutorial, epochs=200)

    for _ in range(WARM_UP):   # and from the second run on, the run before stays as its one "replaced" note
        cell()
    widgets, figs, rss = counts()
    for _ in range(RERUNS):
        cell()
    after = counts()
    assert after[0] == widgets, f"live widgets grew from {widgets} to {after[0]}"
    assert after[1] == figs, f"figures grew from {figs} to {after[1]}"
    assert after[2] - rss < RSS_GROWTH_MB, f"resident memory grew by {after[2] - rss:.1f} MB"


def test_a_replaced_view_keeps_only_its_note_and_closes_the_rest():
    tutorial = Tutorial("mazur")
    old = StepThrough(tutorial)
    held = [widget for widget in owned_widgets(old) if widget is not old]
    assert len(held) > 20
    StepThrough(tutorial)
    assert len(old.children) == 1 and "replaced" in old.children[0].value
    assert all(widget.comm is None for widget in held), "a widget of the replaced view is still open"
    assert old.comm is not None and old.children[0].comm is not None   # the note stays on the page
    assert old.picture is None   # the figure and its helpers are dropped
    StepThrough(tutorial)
    assert old.comm is None, "the view replaced two runs ago is closed, note and all"
