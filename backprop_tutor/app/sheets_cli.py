"""Exercise sheets from the command line.

    python -m backprop_tutor exercises --seed 7 --count 10 --format latex > sheet.tex
    python -m backprop_tutor exercises --seed 7 --count 10 --format latex --answers > key.tex
    python -m backprop_tutor exercises --seed 7 --format json --answers            # for a grader

The same ``--seed`` gives the same sheet, byte for byte; ``--answers`` adds the answer key
(in LaTeX on a new page; in JSON the answer, tolerance and solution, which are null without it).
"""

from __future__ import annotations

import argparse
import sys

from ..core import checks
from ..core.checks import SpecError
from ..teaching.exercises import KINDS
from ..teaching.sheets import MAX_COUNT, SHEET_FORMATS, exercise_sheet

__all__ = ["main"]

PROG = "python -m backprop_tutor exercises"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line naming the option, as the main command line does; --help shows the usage.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _whole(field: str, minimum: int):
    def parse(text: str) -> int:
        try:
            value = checks.whole_number(text, field, minimum, text=True)
        except SpecError as exc:
            raise argparse.ArgumentTypeError(exc.reason) from None
        if field == "count" and value > MAX_COUNT:
            raise argparse.ArgumentTypeError(f"expected at most {MAX_COUNT} exercises, got {value}")
        return value

    parse.__name__ = field
    return parse


def _kinds(text: str) -> tuple:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise argparse.ArgumentTypeError(f"expected one or more of {', '.join(KINDS)}, separated by commas; "
                                         f"got {text!r}")
    return kinds


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Write an exercise sheet on fresh practice networks, and with "
                                            "--answers its answer key with every solution worked.")
    parser.add_argument("--seed", type=_whole("seed", 0), default=1,
                        help="which sheet: the same number gives the same sheet (default: 1)")
    parser.add_argument("--count", type=_whole("count", 1), default=10,
                        help=f"how many exercises, 1 to {MAX_COUNT} (default: 10)")
    parser.add_argument("--format", choices=SHEET_FORMATS, default="markdown",
                        help="markdown, latex (a document for pdflatex) or json (default: markdown)")
    parser.add_argument("--answers", action="store_true", help="add the answer key with worked solutions")
    parser.add_argument("--kinds", type=_kinds, default=None, metavar="KIND[,KIND...]",
                        help=f"the kinds that take turns (default: all of {', '.join(KINDS)})")
    return parser


def main(argv: list | None = None) -> int:
    """Write the sheet to standard output; returns the exit status."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        text = exercise_sheet(args.seed, args.count, args.format, answers=args.answers, kinds=args.kinds)
    except SpecError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0
