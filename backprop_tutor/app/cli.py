"""Command line: ``python -m backprop_tutor`` prints the seed's walkthrough as the seed reads."""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..core import checks
from ..core.checks import SpecError
from ..core.engine import train
from ..core.example_files import PRESETS, load_example
from ..teaching.notation import NOTATIONS
from ..teaching.render import FORMATS, render
from ..teaching.walkthrough import walkthrough

__all__ = ["main"]


def _checked(check):
    """An argparse type that runs one of the package's checks, so the words match the API's and the editor's."""
    def parse(text: str):
        try:
            return check(text)
        except SpecError as exc:
            raise argparse.ArgumentTypeError(exc.reason) from None

    parse.__name__ = check.__name__
    return parse


_epochs = _checked(lambda text: checks.whole_number(text, "epochs", text=True))
_learning_rate = _checked(lambda text: checks.learning_rate(text, text=True))


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line naming the option, without argparse's usage block: --help shows the usage.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m backprop_tutor",
        description="Walk through one epoch of backpropagation (forward pass, error, chain rule, "
                    "updates), then train. 'python -m backprop_tutor figures DIR' draws the figures; "
                    "'python -m backprop_tutor present NOTEBOOK' serves a notebook as a clean app; "
                    "'python -m backprop_tutor exercises --seed 7' writes an exercise sheet; "
                    "'lessons DEST' writes the notebooks into a folder, 'lab' opens them in JupyterLab, "
                    "'link --hub URL --repo URL' prints a JupyterHub's nbgitpuller link.",
    )
    parser.add_argument("--example", default="seed", metavar="FILE_OR_PRESET",
                        help=f"a worked-example JSON file or a preset ({', '.join(PRESETS)}); default: seed")
    parser.add_argument("--notation", choices=NOTATIONS, default="mazur",
                        help="Mazur's names (w1, net_h1, out_o1) or the layer-indexed ones (w11_2, z1_2, a1_2)")
    parser.add_argument("--epochs", type=_epochs, default=None,
                        help="epochs to train after the walkthrough (default: the example's)")
    parser.add_argument("--learning-rate", type=_learning_rate, default=None,
                        help="learning rate (default: the example's)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--version", action="version", version=f"backprop_tutor {__version__}")
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
    if argv[:1] == ["exercises"]:
        from .sheets_cli import main as exercises_main  # an exercise sheet and its answer key

        return exercises_main(argv[1:])
    if argv[:1] == ["check"]:
        from .check import main as check_main  # runs a student's own file: only when asked to check it

        return check_main(argv[1:])
    if argv[:1] == ["lessons"]:
        from .lessons import main as lessons_main  # the notebooks, images and examples, into a folder

        return lessons_main(argv[1:])
    if argv[:1] == ["lab"]:
        from .lab import main as lab_main  # the lessons, opened in JupyterLab

        return lab_main(argv[1:])
    if argv[:1] == ["link"]:
        from .link import main as link_main  # the nbgitpuller link for a JupyterHub

        return link_main(argv[1:])
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
