"""Every view's accessibility helper: names and states for its controls, and a polite live region.

:class:`Announcer` is a small anywidget. Rendered once on a page, its script (access.js)
names every slider by its label and gives it the value its readout shows, hides icon glyphs
from button names, marks toggle buttons pressed or not, hands focus on when a focused button
is disabled, lets a keyboard reach a box that scrolls, and gives widget images alt text; its
style sheet (access.css) draws a thick dark focus ring inside every control. Each one is also a
live region: :meth:`View.announce <backprop_tutor.views.widgets.base.View.announce>` writes what
just changed (a new step, a new learning rate's result) and screen readers read it.

These are fixes that belong upstream (ipywidgets 8.1 does not pass a slider's label to
noUiSlider's handle, which noUiSlider accepts since leongersen/noUiSlider#1223); the README's
accessibility section carries the report to file.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets as t

__all__ = ["ACCESS_SCRIPT", "ACCESS_STYLE", "Announcer"]

_HERE = Path(__file__).resolve().parent
#: The script and style sheet, files beside this module (pyproject's package-data ships them).
ACCESS_SCRIPT, ACCESS_STYLE = _HERE / "access.js", _HERE / "access.css"


class Announcer(anywidget.AnyWidget):
    """A visually hidden polite live region (set ``text`` to have it read), and the page's accessibility script."""

    # Text, not paths: anywidget watches a path and its watcher keeps every widget alive (a leak per re-run).
    _esm = ACCESS_SCRIPT.read_text(encoding="utf-8")
    _css = ACCESS_STYLE.read_text(encoding="utf-8")
    text = t.Unicode("").tag(sync=True)
