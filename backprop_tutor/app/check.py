"""``python -m backprop_tutor check FILE.py --function NAME [--example EX]``: check a student's backpropagation.

This is the one place where the package runs code it did not write, and only the file the user
names: it is imported from its path as pytest would import a test file (its folder first on
``sys.path``, so it can import its neighbours; its ``if __name__ == "__main__":`` block does not
run). Exit status: 0 when every number is right, 1 when something is wrong (the report names the
first wrong quantity and, where it can, the mistake), 2 for a usage or file error (one line).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from pathlib import Path

from ..core.checks import SpecError
from ..core.example_files import PRESETS, load_example
from ..teaching.mistakes import check_backprop

__all__ = ["main"]

PROG = "python -m backprop_tutor check"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Run your own backpropagation on the first sample of an example and check its numbers: "
                    "the report names the first wrong quantity and, when your numbers match a common mistake, "
                    "the mistake and how to fix it. Your function takes one dict (weights, biases, inputs, "
                    "targets, learning_rate, train_bias) and returns a dict with any of net, out, loss, delta, "
                    "grad_weights, grad_biases, weights, biases.",
    )
    parser.add_argument("file", metavar="FILE.py", help="the Python file with your function")
    parser.add_argument("--function", required=True, metavar="NAME", help="the name of your function in FILE.py")
    parser.add_argument("--example", default="mazur", metavar="FILE_OR_PRESET",
                        help=f"a worked-example JSON file or a preset ({', '.join(PRESETS)}); default: mazur")
    return parser


class _Usage(Exception):
    """A usage or file error: one line, exit status 2."""


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _import(path: Path):
    """The student's file as a module, imported from its path."""
    if not path.is_file():
        raise _Usage(f"no file {str(path)!r}")
    if path.suffix != ".py":
        raise _Usage(f"{path.name} is not a Python file (expected FILE.py)")
    name = "backprop_check_" + re.sub(r"\W", "_", path.stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise _Usage(f"cannot import {path.name}")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        raise _Usage(f"{path.name} could not be imported: SyntaxError: {exc.msg} (line {exc.lineno})") from None
    except Exception as exc:  # the student's module-level code
        sys.modules.pop(name, None)
        raise _Usage(f"{path.name} could not be imported: {_one_line(exc)}") from None
    finally:
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
    return module


def _function(module, path: Path, name: str):
    fn = getattr(module, name, None)
    if callable(fn):
        return fn
    functions = sorted(n for n, v in vars(module).items()
                       if callable(v) and not n.startswith("_") and getattr(v, "__module__", None) == module.__name__)
    known = f" (functions in it: {', '.join(functions)})" if functions else " (it defines no functions)"
    if fn is None:
        raise _Usage(f"{path.name} has no function {name!r}{known}")
    raise _Usage(f"{name!r} in {path.name} is not a function{known}")


def main(argv: list | None = None) -> int:
    """Check the function; print the report; return 0 (right), 1 (wrong) or 2 (usage or file error)."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    path = Path(args.file)
    try:
        example = load_example(args.example)
        fn = _function(_import(path), path, args.function)
        report = check_backprop(fn, example)
    except (_Usage, SpecError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    print(report)
    return 0 if report.ok else 1
