"""Command line: ``python -m backprop_tutor`` prints the seed's walkthrough as the seed reads."""

from __future__ import annotations

import argparse
import sys

from ..core.engine import train
from ..core.example_files import PRESETS, load_example
from ..teaching.notation import NOTATIONS
from ..teaching.render import FORMATS, render
from ..core.spec import SpecError
from ..teaching.walkthrough import walkthrough

__all__ = ["main"]


def _whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text}")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line naming the option, without argparse's usage block: --help shows the usage.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m backprop_tutor",
        description="Walk through one epoch of backpropagation (forward pass, error, chain rule, "
                    "updates), then train. 'python -m backprop_tutor figures DIR' draws the figures; 'python -m backprop_tutor present NOTEBOOK' serves a notebook as a clean app.",
    )
    parser.add_argument("--example", default="seed", metavar="FILE_OR_PRESET",
                        help=f"a worked-example JSON file or a preset ({', '.join(PRESETS)}); default: seed")
    parser.add_argument("--notation", choices=NOTATIONS, default="mazur",
                        help="Mazur's names (w1, net_h1, out_o1) or the layer-indexed ones (w11_2, z1_2, a1_2)")
    parser.add_argument("--epochs", type=_whole_number, default=None,
                        help="epochs to train after the walkthrough (default: the example's)")
    parser.add_argument("--learning-rate", type=_positive_number, default=None,
                        help="learning rate (default: the example's)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    return parser


def main(argv: list | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["figures"]:
        from ..views.figures import main as figures_main  # matplotlib only when figures are asked for

        return figures_main(argv[1:])
    if argv[:1] == ["present"]:
        from .present import main as present_main  # Voilà only when presenting

        return present_main(argv[1:])
    args = _parser().parse_args(argv)
    try:
        example = load_example(args.example)
        if args.learning_rate is not None:
            example = example.replace(learning_rate=args.learning_rate)
        walk = walkthrough(example, args.notation)
        training = train(example, epochs=args.epochs)
    except SpecError as exc:
        print(f"python -m backprop_tutor: error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(walk, training, args.format))
    return 0
