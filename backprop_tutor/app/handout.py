"""The handout from the command line: two pages of summary and an answer key for one worked example.

    python -m backprop_tutor handout                    # handout.tex and its figure, handout-network.pdf
    python -m backprop_tutor handout --pdf              # ... and handout.pdf (needs pdflatex)
    python -m backprop_tutor handout --example xor --seed 4 --output xor/handout.tex --pdf

The TeX comes from :mod:`backprop_tutor.teaching.handout`, the figure from
:func:`backprop_tutor.views.figures.network_figure`; this module writes them side by side and,
with ``--pdf``, runs pdflatex on copies in a temporary directory, so no .aux or .log is left.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..core import checks
from ..core.checks import SpecError
from ..core.example_files import PRESETS, load_example
from ..core.spec import Example
from ..teaching.handout import KEY_MARK, handout_tex
from ..teaching.notation import NOTATIONS
from ..views.figures import figure_pdf, network_figure

__all__ = ["compile_pdf", "figure_name", "main", "write_handout"]

PROG = "python -m backprop_tutor handout"
TEX_HINT = "Debian: apt-get install --no-install-recommends texlive-latex-base"
SUMMARY_PAGES = 2


class _CompileError(RuntimeError):
    """pdflatex is missing or failed: the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line naming the option, as the main command line does; --help shows the usage.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _seed(text: str) -> int:
    try:
        return checks.whole_number(text, "seed", 0, text=True)
    except SpecError as exc:
        raise argparse.ArgumentTypeError(exc.reason) from None


def figure_name(tex_path: Path) -> str:
    """The figure's file name beside a handout: its stem, in letters, digits and hyphens only, + -network.pdf."""
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", Path(tex_path).stem).strip("-") or "handout"
    return f"{stem}-network.pdf"


def write_handout(example: Example, output: Path, seed: int = 1, notation: str = "mazur") -> list:
    """Write the handout's .tex and its figure beside it; returns the paths written."""
    output = Path(output)
    figure = figure_name(output)
    tex = handout_tex(example, figure, seed, notation)   # bad input fails before any file is written
    drawing = figure_pdf(network_figure(example, notation))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(tex, encoding="ascii")
    (output.parent / figure).write_bytes(drawing)
    return [output, output.parent / figure]


def _first_error(log: str) -> str:
    """pdflatex's first error line ("! Undefined control sequence.")."""
    return next((line for line in log.splitlines() if line.startswith("!")), "no error line in the log")


def compile_pdf(tex_path: Path, pdf_path: Path) -> tuple:
    """Compile a handout written by :func:`write_handout` into ``pdf_path``; returns (pages, page the key starts on)."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        raise _CompileError(f"--pdf needs pdflatex, which is not on PATH ({TEX_HINT})")
    tex_path = Path(tex_path)
    with tempfile.TemporaryDirectory(prefix="backprop_tutor_handout_") as tmp:
        work = Path(tmp)
        shutil.copyfile(tex_path, work / "handout.tex")
        figure = figure_name(tex_path)
        shutil.copyfile(tex_path.parent / figure, work / figure)
        result = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                                 "handout.tex"], cwd=work, capture_output=True, text=True, errors="replace",
                                timeout=300)
        if result.returncode != 0 or not (work / "handout.pdf").is_file():
            raise _CompileError(f"pdflatex failed on {tex_path}: {_first_error(result.stdout)}")
        Path(pdf_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work / "handout.pdf", pdf_path)
    pages = re.search(r"Output written on handout\.pdf \((\d+) pages?", result.stdout)
    key = re.search(re.escape(KEY_MARK) + r" (\d+)", result.stdout)
    return (int(pages.group(1)) if pages else None), (int(key.group(1)) if key else None)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Write a handout of a worked example: the network, the notation, "
                                            "the four equations, one epoch's numbers and exercises on two "
                                            "pages, then the answer key.")
    parser.add_argument("--example", default="mazur", metavar="FILE_OR_PRESET",
                        help=f"a worked-example JSON file or a preset ({', '.join(PRESETS)}); default: mazur")
    parser.add_argument("--seed", type=_seed, default=1,
                        help="which fresh numbers the exercises use: the same number, the same exercises (default: 1)")
    parser.add_argument("--notation", choices=NOTATIONS, default="mazur",
                        help="the names of the equations and the worked numbers (default: mazur)")
    parser.add_argument("--output", default="handout.tex", metavar="FILE.tex",
                        help="the .tex to write; the figure goes beside it (default: handout.tex)")
    parser.add_argument("--pdf", action="store_true", help="also compile FILE.pdf with pdflatex")
    return parser


def main(argv: list | None = None) -> int:
    """Write the handout (and with --pdf compile it); prints one line per file; returns the exit status."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        output = Path(args.output)
        for path in write_handout(load_example(args.example), output, args.seed, args.notation):
            print(f"wrote {path}")
        if args.pdf:
            pdf = output.with_suffix(".pdf")
            pages, key_page = compile_pdf(output, pdf)
            print(f"wrote {pdf} ({pages} pages)")
            if key_page != SUMMARY_PAGES + 1:
                print(f"{PROG}: warning: the summary runs to {(key_page or 1) - 1} pages, not {SUMMARY_PAGES}",
                      file=sys.stderr)
    except SpecError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except (_CompileError, OSError, subprocess.SubprocessError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    return 0
