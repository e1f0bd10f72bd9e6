"""The wheel carries the lessons: build it, install it into a fresh venv outside the repository,
write the lessons with ``backprop-tutor lessons`` into a temporary folder, and run notebook 01
there top to bottom — what a student who pip-installed the tutorial does.

How, and why so (the test has to stay a test, not a download):

- ``python -m build --no-isolation`` builds the sdist, then the wheel from the sdist (so
  MANIFEST.in is checked too), with this environment's setuptools (the test extra holds the
  build-system requirement): no network, about two seconds.
- The fresh venv is made ``--without-pip`` in the test's temporary folder, outside the
  repository. A ``.pth`` file gives it this environment's site-packages *after* its own, for the
  run-time dependencies (NumPy, SymPy, matplotlib, ipywidgets), the kernel (ipykernel, nbclient)
  and pip: installing those from an index would take minutes. The wheel goes in with the fresh
  venv's ``python -m pip install --no-deps --no-index --ignore-installed``, so its console script
  and files land in the fresh venv. Directories named in a ``.pth`` file are only
  added to sys.path — their own ``.pth`` files are not run — so this environment's editable
  install of the package is not active there: the test checks that the kernel imported
  backprop_tutor from the fresh venv, not from the repository.

Marked ``wheel`` (``make test-fast`` leaves it out); it never skips, so CI cannot pass without it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from test_notebooks import _images

from backprop_tutor.app.lessons import RECORD, lesson_files

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/01_network_and_forward_pass.ipynb"
TIMEOUT = 600

# Run by the fresh venv's Python: execute one notebook with nbclient, then say where the kernel
# found backprop_tutor. Prints one JSON line.
RUNNER = r"""
import json, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient

path = Path(sys.argv[1])
nb = nbformat.read(path, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell(
    "import backprop_tutor, json, sys\n"
    "print(json.dumps({'module': backprop_tutor.__file__, 'version': backprop_tutor.__version__, "
    "'python': sys.executable}))"))
NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
errors = [f"cell {i}: {o.get('ename')}: {o.get('evalue')}" for i, cell in enumerate(nb.cells)
          for o in cell.get("outputs", []) if o.get("output_type") == "error"]
where = json.loads("".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream"))
print(json.dumps({"errors": errors, "code_cells": sum(c.cell_type == "code" for c in nb.cells), **where}))
"""


def _run(command, **kwargs):
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=TIMEOUT, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _clean_environment(venv: Path) -> dict:
    """The environment a student's shell would have with the fresh venv active: nothing of this one's."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = os.pathsep.join([str(_scripts(venv)), env.get("PATH", "")])
    env["JUPYTER_PREFER_ENV_PATH"] = "1"  # the fresh venv's kernel spec before any user-wide one
    return env


def _scripts(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


@pytest.mark.wheel
def test_the_wheel_carries_the_lessons_and_notebook_01_runs_from_them(tmp_path):
    assert not tmp_path.resolve().is_relative_to(REPO), "the fresh venv must be outside the repository"

    # 1. sdist and wheel, as `python -m build` makes them.
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, REPO], cwd=tmp_path)
    [wheel] = dist.glob("backprop_tutor-*.whl")
    assert len(list(dist.glob("backprop_tutor-*.tar.gz"))) == 1

    # 2. A fresh venv outside the repository, this environment's packages behind its own.
    venv = tmp_path / "fresh"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = _scripts(venv) / ("python.exe" if os.name == "nt" else "python")
    env = _clean_environment(venv)
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], env=env).stdout.strip())
    (site / "_backprop_tutor_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", "utf-8")
    # pip itself comes through the .pth file too; run by the fresh venv's Python, it installs there.
    _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-index",
          "--ignore-installed", wheel], env=env, cwd=tmp_path)
    _run([python, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"], env=env, cwd=tmp_path)

    # 3. `backprop-tutor lessons DEST`, the console script of the installed wheel.
    dest = tmp_path / "my lessons"  # a space, as in many home folders
    result = _run([_scripts(venv) / "backprop-tutor", "lessons", dest], env=env, cwd=tmp_path)
    assert f"lessons in {dest}:" in result.stdout and "new, 0 updated, 0 unchanged" in result.stdout, result.stdout
    written = {p.relative_to(dest).as_posix(): p for p in dest.rglob("*") if p.is_file() and p.name != RECORD}
    # The same files, byte for byte, as the checkout's lessons (setup.py and lessons.py choose alike).
    expected = lesson_files()
    assert sorted(written) == sorted(expected)
    assert all(written[name].read_bytes() == expected[name].read_bytes() for name in expected)
    # The notebooks' links work in the copy: every image and example they name is there.
    for notebook in sorted((dest / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text("utf-8"))["cells"]
        for cell in cells:
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                for _, target in _images(source):
                    assert (notebook.parent / target).is_file(), f"{notebook.name}: {target}"
            for target in re.findall(r"\.\./examples/[\w.-]+", source):
                assert (notebook.parent / target).is_file(), f"{notebook.name}: {target}"

    # 4. Notebook 01, top to bottom, in a kernel of the fresh venv.
    runner = tmp_path / "run_notebook.py"
    runner.write_text(RUNNER, "utf-8")
    result = _run([python, runner, dest / NOTEBOOK], env=env, cwd=tmp_path)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == [], report["errors"]
    assert report["code_cells"] > 5
    assert Path(report["module"]).resolve().is_relative_to(venv.resolve()), report  # the wheel, not the checkout
    assert Path(report["python"]).parent.resolve() == _scripts(venv).resolve(), report
    assert report["version"] == wheel.name.split("-")[1]
