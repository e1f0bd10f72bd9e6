"""Command line: ``python -m backprop_tutor`` prints the walkthrough of one epoch, then a training run."""

from __future__ import annotations

import argparse
import contextlib
import sys
from importlib import import_module

from .. import __version__
from ..core import budget, checks
from ..core.checks import SpecError
from ..core.engine import train
from ..core.example_files import PRESETS, load_example
from ..teaching.notation import NOTATIONS
from ..teaching.render import FORMATS, render
from ..teaching.walkthrough import PATHS, walkthrough

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
_sample = _checked(lambda text: checks.whole_number(text, "sample", 1, text=True))


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line naming the option, without argparse's usage block: --help shows the usage.
        self.exit(2, f"{self.prog}: error: {message}\n")


# name -> (module with a main(argv), what it does); the walkthrough itself needs no name.
SUBCOMMANDS = {
    "figures": ("..views.figures", "draw the figures into a folder"),
    "present": (".present", "serve a notebook as a clean app (Voilà)"),
    "exercises": (".sheets_cli", "an exercise sheet and its answer key"),
    "handout": (".handout", "a two-page handout of a worked example, and its answer key"),
    "check": (".check", "check your own backpropagation and name its mistake"),
    "lessons": (".lessons", "write the notebooks, images and examples into a folder"),
    "lab": (".lab", "write the lessons and open them in JupyterLab"),
    "link": (".link", "the nbgitpuller link for a JupyterHub"),
}


def _parser() -> argparse.ArgumentParser:
    commands = "\n".join(f"  {name:<10} {what}" for name, (_, what) in SUBCOMMANDS.items())
    parser = _Parser(
        prog="python -m backprop_tutor",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Walk through one epoch of backpropagation (forward pass, error, chain rule, updates),\n"
                    "then train. Other commands ('python -m backprop_tutor COMMAND --help' for each):\n"
                    + commands,
    )
    parser.add_argument("--example", default="mazur", metavar="FILE_OR_PRESET",
                        help=f"a worked-example JSON file or a preset ({', '.join(PRESETS)}); default: mazur")
    parser.add_argument("--notation", choices=NOTATIONS, default="mazur",
                        help="Mazur's names (w1, net_h1, out_o1) or the layer-indexed ones (w11_2, z1_2, a1_2)")
    parser.add_argument("--epochs", type=_epochs, default=None,
                        help="epochs to train after the walkthrough (default: the example's)")
    parser.add_argument("--learning-rate", type=_learning_rate, default=None,
                        help="learning rate (default: the example's)")
    parser.add_argument("--sample", type=_sample, default=1, metavar="N",
                        help="which sample of the example to walk through, counted from 1 (default: 1)")
    parser.add_argument("--steps", choices=PATHS, default="full",
                        help="every step (full, the default) or one of each kind, for a lecture (lecture)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--no-limit", action="store_true",
                        help="run even what would take over two minutes or 2 GiB (the work budget)")
    parser.add_argument("--version", action="version", version=f"backprop_tutor {__version__}")
    return parser


def main(argv: list | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] and argv[0] in SUBCOMMANDS:
        # Each subcommand's module is imported only when it runs (matplotlib, Voilà, a student's file).
        module, _ = SUBCOMMANDS[argv[0]]
        return import_module(module, __package__).main(argv[1:])
    args = _parser().parse_args(argv)
    try:
        with budget.unlimited() if args.no_limit else contextlib.nullcontext():
            return _walk_and_train(args)
    except KeyboardInterrupt:   # Ctrl-C before training started (a run under way keeps its result)
        print("python -m backprop_tutor: stopped (Ctrl-C)", file=sys.stderr)
        return 130


def _walk_and_train(args) -> int:
    try:
        example = load_example(args.example)
        if args.learning_rate is not None:
            example = example.replace(learning_rate=args.learning_rate)
        if args.sample > example.n_samples:
            raise SpecError("sample", f"this example has {example.n_samples} sample(s); got {args.sample}")
        walk = walkthrough(example, args.notation, args.sample - 1)
        with _progress_bar(example, args.epochs) as progress:
            training = train(example, epochs=args.epochs, progress=progress)
    except SpecError as exc:
        print(f"python -m backprop_tutor: error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(walk, training, args.format, path=args.steps))
    if training.stopped_at is not None:
        print(f"python -m backprop_tutor: training stopped at epoch {training.stopped_at} of {training.epochs} "
              "(Ctrl-C); the results are after that epoch", file=sys.stderr)
        return 130   # the shell's code for a run ended by Ctrl-C
    return 0


@contextlib.contextmanager
def _progress_bar(example, epochs):
    """A progress bar on stderr for a run that may take over a second; None (no bar) for a short one.

    The bar appears at the first report, once training is under way: a run refused by the work
    budget draws nothing.
    """
    epochs = example.epochs if epochs is None else epochs
    n = len(example.network.parameters.keys)
    if budget.training_seconds(epochs, example.n_samples, n, example.update == "batch") < 1.0:
        yield None
        return
    from tqdm import tqdm  # only a long run needs it

    bar = None

    def progress(done, total):
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="epoch", desc="training", file=sys.stderr, leave=False)
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.close()
