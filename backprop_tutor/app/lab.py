"""``backprop-tutor lab [DEST] [--port N] [--force] [--no-browser]``: the lessons, opened in JupyterLab.

Writes the lessons into DEST (default: $BACKPROP_TUTOR_LESSONS, else ~/backprop_tutor_lessons),
keeping any notebook the student changed (see :mod:`backprop_tutor.app.lessons`), then starts
JupyterLab on 127.0.0.1 with DEST as its root, opened at notebook 00 — what ``make lab`` does
for a clone. JupyterLab itself is the ``notebook`` extra: ``pip install 'backprop_tutor[notebook]'``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from .lessons import FIRST_NOTEBOOK, default_folder, write_and_report

__all__ = ["DEFAULT_PORT", "jupyter_lab_command", "main"]

PROG = "backprop-tutor lab"
DEFAULT_PORT = 8888


def jupyter_lab_command(dest, port: int = DEFAULT_PORT, open_browser: bool = True) -> list:
    """The command that serves ``dest`` with JupyterLab on 127.0.0.1:``port``, opened at notebook 00.

    ``python -m jupyterlab`` with this interpreter (not a ``jupyter`` found on PATH, which may
    belong to another environment); ``--allow-root`` when running as root, as ``make lab`` does.
    """
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={Path(dest).expanduser().resolve()}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={int(port)}",
        f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses to run as root without it (containers)
    if not open_browser:
        command.append("--no-browser")
    return command


def _run(command: list) -> int:
    """Run JupyterLab until it stops. Ctrl-C reaches JupyterLab too, which asks whether to stop:
    wait for its answer instead of leaving it behind."""
    process = subprocess.Popen(command)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line naming the option, as the main command line does; --help shows the usage.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {text!r}")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Write the lessons into a folder (keeping notebooks you changed) "
                                            "and open JupyterLab there at notebook 00, on 127.0.0.1.")
    parser.add_argument("dest", nargs="?", default=None, metavar="DEST",
                        help="the lessons folder (default: $BACKPROP_TUTOR_LESSONS, else ~/backprop_tutor_lessons)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port on 127.0.0.1 (default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="overwrite lesson files you changed")
    parser.add_argument("--no-browser", dest="open_browser", action="store_false",
                        help="do not open a web browser (open the address JupyterLab prints)")
    return parser


def main(argv=None) -> int:
    """Write the lessons, then run JupyterLab on them; returns JupyterLab's exit status."""
    options = _parser().parse_args(argv)
    dest = default_folder() if options.dest is None else Path(options.dest)
    if importlib.util.find_spec("jupyterlab") is None:
        print(f"{PROG}: error: JupyterLab is not installed: pip install 'backprop_tutor[notebook]' "
              f"(or open {dest / FIRST_NOTEBOOK} in your own Jupyter after `backprop-tutor lessons {dest}`)",
              file=sys.stderr)
        return 2
    status = write_and_report(dest, options.force, PROG)
    if status:
        return status
    return _run(jupyter_lab_command(dest, options.port, options.open_browser))


if __name__ == "__main__":
    sys.exit(main())
