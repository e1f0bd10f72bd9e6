"""Google Colab: what a notebook's first cell calls there, and nowhere else.

Every notebook starts with the same short cell (:data:`FIRST_CELL`): on Colab it installs the
package if it is missing (``%pip install git+https://github.com/OWNER/REPO``: the tutorial is
not on PyPI) and calls :func:`setup`; anywhere else it does nothing at all. The install line
has to be in the cell itself: this module cannot run before the package is installed.

On Colab, :func:`setup`

- switches on Colab's manager for third-party widgets (``enable_custom_widget_manager``):
  without it the step-throughs, sliders and editors show as plain text;
- makes the lessons' ``../examples`` and ``../img`` reachable: a notebook opened from GitHub
  runs in ``/content``, beside none of them, so the lessons are written to
  ``backprop_tutor_lessons/`` there and the working folder becomes its ``notebooks/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["FIRST_CELL", "in_colab", "setup"]

#: The first code cell of every notebook (tests/test_colab.py holds each notebook to it).
FIRST_CELL = """\
# On Google Colab: install the tutorial if it is missing and switch on its widgets.
# Anywhere else (JupyterLab, Binder, a JupyterHub) this cell does nothing.
import importlib.util
import sys

if "google.colab" in sys.modules:
    if importlib.util.find_spec("backprop_tutor") is None:
        %pip install --quiet git+https://github.com/OWNER/REPO
        importlib.invalidate_caches()
    from backprop_tutor.app.colab import setup

    setup()"""

#: The folder, under Colab's working folder, that receives the lessons' files.
COLAB_FOLDER = "backprop_tutor_lessons"


def in_colab() -> bool:
    """True inside a Google Colab kernel (which has imported ``google.colab`` before any cell runs)."""
    return "google.colab" in sys.modules


def setup() -> bool:
    """On Colab: enable third-party widgets and put the lessons' files beside the working folder;
    returns True. Anywhere else: does nothing, prints nothing, returns False."""
    if not in_colab():
        return False
    from google.colab import output  # only on Colab

    output.enable_custom_widget_manager()
    here = Path.cwd()
    if not (here.parent / "examples").is_dir():
        from .lessons import write_lessons

        report = write_lessons(here / COLAB_FOLDER)
        os.chdir(report.dest / "notebooks")
        print(f"The lessons' files are in {report.dest}; this notebook now works in {Path.cwd()}.")
    return True
