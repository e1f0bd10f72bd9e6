"""Google Colab: each notebook's first cell installs the package only on Colab and only when it is
missing, and enables Colab's widget manager there only; the README's badges (Colab and Binder)
and every other OWNER/REPO placeholder agree.

Colab is simulated: fake ``google``, ``google.colab`` and ``google.colab.output`` modules in
sys.modules (Colab's kernel imports ``google.colab`` before any cell runs), whose
``enable_custom_widget_manager`` records its calls, and a fake IPython shell that records the
``%pip`` line instead of installing anything. The cell's IPython syntax is turned into Python by
IPython's own transformer, as the kernel does.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import types
import urllib.parse
from pathlib import Path

import nbformat
import pytest
import tomllib
from IPython.core.inputtransformer2 import TransformerManager

from backprop_tutor.app import colab
from backprop_tutor.app.colab import FIRST_CELL

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
IDS = [path.stem for path in NOTEBOOKS]
COLAB_BADGE = re.compile(r"\[!\[Open In Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
                         r"\((https://colab\.research\.google\.com/github/[^)\s]+)\)")
BINDER_BADGE = re.compile(r"\(https://mybinder\.org/v2/gh/([^/\s]+/[^/\s]+)/")
PIP_TARGET = re.compile(r"git\+https://github\.com/([\w.-]+/[\w.-]+)")


class FakeShell:
    """The part of IPython's shell the cell uses: ``%pip`` becomes ``run_line_magic('pip', ...)``."""

    def __init__(self):
        self.magics = []

    def run_line_magic(self, name, line):
        self.magics.append((name, line))


@pytest.fixture
def fake_colab(monkeypatch, tmp_path):
    """A simulated Colab kernel, working in a /content-like folder; returns the calls recorded."""
    calls = []
    output = types.ModuleType("google.colab.output")
    output.enable_custom_widget_manager = lambda: calls.append("enable_custom_widget_manager")
    google = types.ModuleType("google")
    google_colab = types.ModuleType("google.colab")
    google_colab.output = output
    google.colab = google_colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", google_colab)
    monkeypatch.setitem(sys.modules, "google.colab.output", output)
    content = tmp_path / "content"
    content.mkdir()
    monkeypatch.chdir(content)
    return calls


@pytest.fixture
def not_colab(monkeypatch):
    for name in ("google.colab", "google.colab.output"):
        monkeypatch.delitem(sys.modules, name, raising=False)


@pytest.fixture
def package_missing(monkeypatch):
    """importlib.util.find_spec says backprop_tutor is not installed (a fresh Colab runtime)."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "backprop_tutor" else real(name, *a))


def run_first_cell(source: str = FIRST_CELL) -> tuple:
    """Run the cell as a kernel would; returns (the shell's recorded magics, the cell's namespace)."""
    shell = FakeShell()
    namespace = {"get_ipython": lambda: shell, "__name__": "__main__"}
    exec(compile(TransformerManager().transform_cell(source), "<first cell>", "exec"), namespace)
    return shell.magics, namespace


# --- the cell in the notebooks -------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_notebook_starts_with_the_colab_cell(path):
    """The first code cell of every notebook is FIRST_CELL, right after the title."""
    cells = nbformat.read(path, as_version=4).cells
    code = [cell for cell in cells if cell.cell_type == "code"]
    assert code and code[0].source == FIRST_CELL, f"{path.name}: the first code cell is not the Colab cell"
    assert cells[1] is code[0]


def test_the_cell_is_short_and_says_what_it_does():
    lines = FIRST_CELL.splitlines()
    assert len(lines) <= 12 and lines[0].startswith("# On Google Colab") and "does nothing" in lines[1]


# --- on Colab --------------------------------------------------------------------------------------

def test_on_colab_without_the_package_it_installs_it_and_enables_widgets(fake_colab, package_missing, capsys):
    magics, _ = run_first_cell()
    [(name, line)] = magics
    assert name == "pip" and line.split()[0] == "install"
    assert PIP_TARGET.search(line), f"not a git+https://github.com/OWNER/REPO install: {line}"
    assert fake_colab == ["enable_custom_widget_manager"]
    # The lessons' files are beside the working folder now, so ../examples and ../img resolve.
    assert Path.cwd().name == "notebooks" and Path.cwd().parent.name == colab.COLAB_FOLDER
    assert Path("../examples/mazur.json").is_file() and Path("../img").is_dir()
    assert capsys.readouterr().out.count("\n") == 1


def test_on_colab_with_the_package_it_only_enables_widgets(fake_colab, capsys):
    magics, _ = run_first_cell()
    assert magics == [] and fake_colab == ["enable_custom_widget_manager"]
    # Run again (Run all, twice): no second copy, no second move.
    here = Path.cwd()
    capsys.readouterr()
    magics, _ = run_first_cell()
    assert magics == [] and Path.cwd() == here and capsys.readouterr().out == ""
    assert fake_colab == ["enable_custom_widget_manager"] * 2


# --- anywhere else ---------------------------------------------------------------------------------

def test_outside_colab_the_cell_does_nothing(not_colab, package_missing, tmp_path, monkeypatch, capsys):
    """Not even with the package missing: no install, no import of the Colab module, no output, no move."""
    monkeypatch.chdir(tmp_path)
    magics, namespace = run_first_cell()
    assert magics == []
    assert "setup" not in namespace
    assert Path.cwd() == tmp_path and list(tmp_path.iterdir()) == []
    assert capsys.readouterr() == ("", "")


def test_setup_outside_colab_is_silent(not_colab, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert colab.setup() is False and colab.in_colab() is False
    assert capsys.readouterr() == ("", "") and list(tmp_path.iterdir()) == []


# --- badges and the one OWNER/REPO -----------------------------------------------------------------

def _readme() -> str:
    return (REPO / "README.md").read_text("utf-8")


def test_every_notebook_has_an_open_in_colab_badge():
    """One badge per notebook in the lesson table, opening that notebook from GitHub."""
    links = COLAB_BADGE.findall(_readme())
    opened = []
    for link in links:
        url = urllib.parse.urlsplit(link)
        parts = url.path.split("/")  # "", "github", OWNER, REPO, "blob", BRANCH, "notebooks", NAME
        assert parts[:2] == ["", "github"] and parts[4] == "blob" and all(parts[2:4]) and parts[5], link
        path = "/".join(parts[6:])
        assert (REPO / path).is_file(), link
        opened.append(path)
    assert sorted(opened) == [f"notebooks/{p.name}" for p in NOTEBOOKS]


def _owner_repos() -> dict:
    """Where each OWNER/REPO is written -> what it says."""
    readme = _readme()
    found = {}
    for index, link in enumerate(COLAB_BADGE.findall(readme)):
        found[f"README Colab badge {index}"] = "/".join(urllib.parse.urlsplit(link).path.split("/")[2:4])
    for index, value in enumerate(BINDER_BADGE.findall(readme)):
        found[f"README Binder badge {index}"] = value
    for index, value in enumerate(PIP_TARGET.findall(readme)):
        found[f"README pip install {index}"] = value
    for index, value in enumerate(PIP_TARGET.findall(FIRST_CELL)):
        found[f"the notebooks' first cell {index}"] = value
    with open(REPO / "pyproject.toml", "rb") as handle:
        urls = tomllib.load(handle)["project"]["urls"]
    for name, url in urls.items():
        parts = urllib.parse.urlsplit(url)
        assert parts.hostname == "github.com", url
        found[f"pyproject.toml {name}"] = "/".join(parts.path.split("/")[1:3])
    return found


def test_every_badge_and_url_uses_the_same_owner_repo():
    """The Binder and Colab badges, the pip targets and the project URLs name one repository: change
    the placeholder in one go (see the comment above the Binder badge)."""
    found = _owner_repos()
    assert any(k.startswith("README Binder") for k in found) and any(k.startswith("README Colab") for k in found)
    assert any(k.startswith("pyproject") for k in found) and any(k.startswith("the notebooks") for k in found)
    assert len(set(found.values())) == 1, "\n".join(f"{k}: {v}" for k, v in sorted(found.items()))


def test_the_readme_says_how_to_change_the_placeholder():
    readme = _readme()
    comment = readme[readme.index("<!--"):readme.index("-->")]
    [value] = set(_owner_repos().values())
    assert value in comment and "sed" in comment and "tests/test_colab.py" in comment
