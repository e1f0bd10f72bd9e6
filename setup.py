"""Build hook: the wheel carries the lessons. Everything else about the package is in pyproject.toml.

The lessons live at the top of the repository, ``notebooks/`` and ``img/``, where a clone,
Binder, an nbgitpuller link and ``make lab`` open them; ``examples/*.json`` are symlinks to the
package's own ``backprop_tutor/examples/``. This hook copies the numbered notebooks and their
images into ``backprop_tutor/lessons/`` in the *build tree* only, so the wheel ships them as
package data and git holds one copy. ``backprop-tutor lessons DEST`` writes them out again as
``DEST/notebooks``, ``DEST/img`` and ``DEST/examples``: the repository's layout, so a notebook's
``../img/...`` and ``../examples/...`` links work in both places.

Why not the real files inside the package and symlinks at the top (as ``examples/`` does)? Git
on Windows checks symlinks out as small text files unless ``core.symlinks`` is on, so a student
cloning there would get a ``notebooks`` "file" instead of the lessons; and the notebooks' paths
(Binder's badge, nbgitpuller links, ``make present``) would depend on a link being followed.
Copying at build time keeps the repository plain. Editable installs (``pip install -e .``,
``make lab``) skip the hook: there ``backprop_tutor.app.lessons`` reads the checkout directly.

The sdist carries ``notebooks/`` and ``img/`` (MANIFEST.in), so a wheel built from it has them too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PACKAGE = "backprop_tutor"
LESSONS = "lessons"  # backprop_tutor/lessons/ in the wheel


def lesson_files(root: Path = ROOT) -> list:
    """The files the wheel carries, relative to the repository: the numbered notebooks and the
    images they show. The README's screenshots (``img/screenshot_*``) are not lessons.

    backprop_tutor/app/lessons.py picks the same files from a checkout (tests/test_wheel.py
    compares the two).
    """
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    images = sorted(path for path in (root / "img").glob("*")
                    if path.is_file() and not path.name.startswith("screenshot_"))
    if not notebooks:
        raise SystemExit(f"no lessons to package: {root / 'notebooks'} has no numbered notebooks "
                         "(an sdist built without MANIFEST.in?)")
    return [path.relative_to(root) for path in notebooks + images]


class BuildPyWithLessons(build_py):
    """``build_py`` that also copies the lessons into the build tree's ``backprop_tutor/lessons/``."""

    def _lesson_targets(self) -> list:
        return [(ROOT / relative, Path(self.build_lib, PACKAGE, LESSONS, relative)) for relative in lesson_files()]

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's notebooks/ and img/ directly
        for source, target in self._lesson_targets():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [str(target) for _, target in self._lesson_targets()]


setup(cmdclass={"build_py": BuildPyWithLessons})
