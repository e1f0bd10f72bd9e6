"""Presentation mode without a browser: images inlined, Voilà's arguments, the projector template.

(The app itself is checked in headless Chromium in tests/test_browser.py.)
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import tomllib

from backprop_tutor.app import present

ROOT = Path(__file__).resolve().parent.parent


def _notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(s) for s in sources] + [nbformat.v4.new_code_cell("![x](../img/a.png)")]
    return nb


def test_local_images_become_data_urls(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "notebooks").mkdir()
    png = b"\x89PNG\r\n\x1a\nnot really"
    (tmp_path / "img" / "a.png").write_bytes(png)
    nb = _notebook('Text ![The network: i1, i2](../img/a.png) and <img src="../img/a.png" alt="again">',
                   "![web](https://example.org/b.png) ![gone](../img/missing.png) ![d](data:image/png;base64,AA==)")
    assert present.inline_local_images(nb, tmp_path / "notebooks") == 2
    data = "data:image/png;base64," + base64.b64encode(png).decode()
    assert nb.cells[0].source == f'Text ![The network: i1, i2]({data}) and <img src="{data}" alt="again">'
    assert nb.cells[1].source == ("![web](https://example.org/b.png) ![gone](../img/missing.png) "
                                  "![d](data:image/png;base64,AA==)")
    assert nb.cells[2].source == "![x](../img/a.png)", "code cells are left alone"


def test_every_notebook_image_is_inlined():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        present.inline_local_images(nb, path.parent)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                assert "](../" not in cell.source and 'src="../' not in cell.source, path.name


def test_voila_arguments():
    notebook = ROOT / "notebooks" / "01_network_and_forward_pass.ipynb"
    args = present.voila_arguments(notebook, port=9999, token="abc")
    assert args[0] == str(notebook)
    assert "--Voila.ip=127.0.0.1" in args and "--Voila.port=9999" in args and "--Voila.token=abc" in args
    assert "--VoilaConfiguration.strip_sources=True" in args and "--no-browser" in args
    assert any(a.startswith("--VoilaExecutor.timeout=") for a in args)
    assert [a for a in args if a.startswith("--template")] == ["--template=backprop"]
    assert "--template=projector" in present.voila_arguments(notebook, projector=True)
    assert "--no-browser" not in present.voila_arguments(notebook, open_browser=True)


def test_templates_ship_with_the_package():
    """Both templates: the projector's extends the tutorial's, which wraps every cell in one <main> (WCAG landmarks)."""
    templates = present.TEMPLATE_ROOT / "voila" / "templates"
    projector, base = templates / present.PROJECTOR_TEMPLATE, templates / present.TEMPLATE
    assert json.loads((projector / "conf.json").read_text())["base_template"] == present.TEMPLATE
    assert json.loads((base / "conf.json").read_text())["base_template"] == "lab"
    page = (projector / "index.html.j2").read_text()
    assert f"extends '{present.TEMPLATE}/index.html.j2'" in page and 'id="bt-projector-style"' in page
    page = (base / "index.html.j2").read_text()
    assert "extends 'lab/index.html.j2'" in page
    # <main> opens after the body's first markup (Voilà's spinner and the cells' box) and closes before it ends.
    header = page.split("block body_header")[1]
    footer = page.split("block body_footer")[1]
    assert header.index("super()") < header.index("<main") and footer.index("</main>") < footer.index("super()")
    assert page.count("<main") == 1 and page.count("</main>") == 1
    with open(ROOT / "pyproject.toml", "rb") as handle:
        data = tomllib.load(handle)["tool"]["setuptools"]["package-data"]["backprop_tutor"]
    for name in (present.TEMPLATE, present.PROJECTOR_TEMPLATE):
        assert f"share/jupyter/voila/templates/{name}/*" in data


def test_a_missing_notebook_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "backprop_tutor", "present", str(tmp_path / "nope.ipynb")],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "nope.ipynb" in result.stderr
