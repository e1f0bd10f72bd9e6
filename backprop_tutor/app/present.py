"""Presentation mode: one notebook served by Voilà as a clean app — outputs and widgets, no code.

    python -m backprop_tutor present notebooks/01_network_and_forward_pass.ipynb
    python -m backprop_tutor present notebooks/05_training_loop.ipynb --projector   # large type, high contrast

(``make present NOTEBOOK=... [PROJECTOR=1]`` runs the same.) The server listens on 127.0.0.1 only.

Voilà runs in this process, configured here:

- the page is the ``backprop`` template shipped in ``backprop_tutor/share/jupyter`` (Voilà's lab
  template with the lesson inside one ``<main>`` landmark); ``--projector`` selects the
  ``projector`` template, which extends it with a style sheet (about 1.6x larger type, black on
  white, compact controls), and sets ``BACKPROP_TUTOR_PROJECTOR=1`` for the kernels Voilà
  starts (they inherit this process's environment), so the diagrams draw labels as large as
  that type;
- every cell has a time limit (``VoilaExecutor.timeout``): a cell that stalls — the executor can
  hang on a cell that writes to an Output widget (jupyter/nbclient#312) — ends with an error
  on the page instead of a page that never finishes;
- a pre-launch hook inlines the notebook's local images (``![...](../img/x.png)``) as data: URLs.
  Voilà 0.5 resolves a Markdown image against its root directory and fails the whole page on
  a path that leaves it, which every ``../img/`` path does.

This module imports Voilà only in :func:`main`; the rest of the package never needs it.
"""

from __future__ import annotations

import argparse
import base64
import mimetypes
import os
import re
import sys
from pathlib import Path

__all__ = ["PROJECTOR_ENV", "TEMPLATE_ROOT", "inline_local_images", "main", "voila_arguments"]

#: A Jupyter data directory holding ``voila/templates/projector``.
TEMPLATE_ROOT = Path(__file__).resolve().parent.parent / "share" / "jupyter"
#: Voilà's lab template with one <main> landmark; the projector template extends it.
TEMPLATE = "backprop"
PROJECTOR_TEMPLATE = "projector"
DEFAULT_PORT = 8866
DEFAULT_CELL_TIMEOUT = 120  # seconds
#: The kernel reads it (views.widgets.base.PROJECTOR_ENV): its diagrams draw projector-sized labels.
PROJECTOR_ENV = "BACKPROP_TUTOR_PROJECTOR"

_MARKDOWN_IMAGE = re.compile(r"(!\[[^\]]*\]\(\s*<?)([^)\s>]+)(>?(?:\s+\"[^\"]*\")?\s*\))")
_HTML_IMAGE = re.compile(r"(<img\b[^>]*?\bsrc\s*=\s*[\"'])([^\"']+)([\"'])", re.IGNORECASE)


def _data_url(target: str, directory: Path) -> str | None:
    """A data: URL for a local image file relative to ``directory``; None for anything else."""
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("/"):
        return None  # a web address, data: URL, attachment: or absolute path: leave it
    path = (directory / target).resolve()
    mime, _ = mimetypes.guess_type(path.name)
    if not path.is_file() or not mime or not mime.startswith("image/"):
        return None
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def inline_local_images(notebook, directory) -> int:
    """Replace every local image a Markdown cell references by a data: URL, in place.

    Returns how many references were replaced. Images that are missing stay as they are.
    """
    directory = Path(directory)
    replaced = 0

    def swap(match):
        nonlocal replaced
        url = _data_url(match.group(2), directory)
        if url is None:
            return match.group(0)
        replaced += 1
        return match.group(1) + url + match.group(3)

    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        source = _HTML_IMAGE.sub(swap, _MARKDOWN_IMAGE.sub(swap, source))
        cell["source"] = source
    return replaced


def voila_arguments(notebook, port: int = DEFAULT_PORT, projector: bool = False, token: str | None = None,
                    open_browser: bool = False, cell_timeout: int = DEFAULT_CELL_TIMEOUT) -> list:
    """Voilà's command-line arguments for serving ``notebook`` on 127.0.0.1:``port``."""
    notebook = Path(notebook).resolve()
    args = [
        str(notebook),
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={int(port)}",
        f"--Voila.root_dir={notebook.parent}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=True",
        f"--VoilaExecutor.timeout={int(cell_timeout)}",
        "--theme=light",
    ]
    args.append(f"--template={PROJECTOR_TEMPLATE if projector else TEMPLATE}")
    if token is not None:
        args.append(f"--Voila.token={token}")
    if not open_browser:
        args.append("--no-browser")
    return args


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m backprop_tutor present",
        description="Serve one tutorial notebook with Voilà as a clean app (no code cells) on 127.0.0.1.")
    parser.add_argument("notebook", nargs="?", default="notebooks/00_start_here.ipynb",
                        help="the notebook to present (default: %(default)s)")
    parser.add_argument("--projector", action="store_true",
                        help="large type and high contrast, for a projector")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1 (default: %(default)s)")
    parser.add_argument("--token", default=None,
                        help="require this token in the address (?token=...); default: no token")
    parser.add_argument("--no-browser", dest="open_browser", action="store_false",
                        help="do not open a web browser")
    parser.add_argument("--cell-timeout", type=int, default=DEFAULT_CELL_TIMEOUT,
                        help="seconds a cell may run before it is stopped with an error (default: %(default)s)")
    return parser


def main(argv=None) -> int:
    """Start Voilà on the chosen notebook; returns when the server stops."""
    options = _parser().parse_args(argv)
    notebook = Path(options.notebook)
    if notebook.suffix != ".ipynb" or not notebook.is_file():
        print(f"notebook: {options.notebook} is not a notebook file (.ipynb)", file=sys.stderr)
        return 2
    try:
        from traitlets.config import Config
        from voila.app import Voila
    except ImportError:
        print("presentation mode needs Voilà: pip install -e '.[present]' (or `make present`)", file=sys.stderr)
        return 2

    directory = notebook.resolve().parent

    def prelaunch_hook(request_handler, notebook, cwd):  # Voilà's signature
        inline_local_images(notebook, directory)
        return notebook

    config = Config()
    config.VoilaConfiguration.prelaunch_hook = prelaunch_hook
    # Voilà looks for templates in the Jupyter data path; ours come first.
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(TEMPLATE_ROOT)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p])
    if options.projector:
        os.environ[PROJECTOR_ENV] = "1"
    else:
        os.environ.pop(PROJECTOR_ENV, None)   # an earlier projector run's setting must not leak in
    arguments = voila_arguments(notebook, port=options.port, projector=options.projector, token=options.token,
                                open_browser=options.open_browser, cell_timeout=options.cell_timeout)
    Voila.launch_instance(argv=arguments, config=config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
