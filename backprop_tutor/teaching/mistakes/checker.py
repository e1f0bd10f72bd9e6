"""The homework checker: run a student's backpropagation on one sample, compare it, name its mistake.

:func:`check_backprop` runs a student's function on the first sample of an example, compares
what it returns with the right numbers and, when something is wrong, with the numbers of every
mistake in the catalogue: a mistake is named when the student's numbers match its variant (every
quantity they gave, to a tolerance) and not the right ones. A :class:`CheckReport` says so.
"""

from __future__ import annotations

import difflib
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core import checks
from ...core.checks import SpecError
from ...core.engine import evaluate_step
from ...core.quantities import Delta, Net, Out, TotalError, Updated, Weight, gradient
from ...core.spec import Example, Network
from ..formatting import fmt
from ..notation import Namer
from .catalogue import MISTAKES
from .rules import FORMS
from .variants import applicability, as_example, close, forms, run_step, sample_index, step_order

__all__ = ["RESULT_KEYS", "CheckReport", "QuantityCheck", "check_backprop"]

# The keys of the dict a student's function returns, in the order of the result JSON's first_step.
RESULT_KEYS = ("net", "out", "loss", "delta", "grad_weights", "grad_biases", "weights", "biases")
_GROUPS = {
    "net": "net inputs",
    "out": "outputs",
    "loss": "total error",
    "delta": "deltas",
    "grad_weights": "weight gradients",
    "grad_biases": "bias gradients",
    "weights": "updated weights",
    "biases": "updated biases",
}
# How each key is read: the shape of its value, and what makes each number a quantity key.
_SHAPES = {
    "net": ("neurons", Net),
    "out": ("neurons", Out),
    "loss": ("number", None),
    "delta": ("neurons", Delta),
    "grad_weights": ("weights", gradient),
    "grad_biases": ("biases", gradient),
    "weights": ("weights", Updated),
    "biases": ("biases", Updated),
}


# --- reading a student's result ---------------------------------------------------------------

class _Problem(Exception):
    """A problem with what the student's function did or returned: one line for the report."""


def _read(value: Any, key: str, network: Network, namer: Namer) -> dict:
    """{quantity key: number} from one key of the result, checked against the network's shape."""
    shape, wrap = _SHAPES[key]
    if shape == "number":
        return {TotalError(): checks.number(value, key)}
    if shape == "biases":
        layout = network.parameters
        flat = []
        for entry in layout.check_biases(value, key):
            flat += list(entry) if isinstance(entry, tuple) else [entry]
        keys = [k for l in range(1, network.depth + 1) for k in layout.biases_of(l)]
        return {wrap(k): v for k, v in zip(keys, flat)}

    # neurons (net, out, delta) and weights (weights[l][to][from]): one entry per layer after the inputs.
    def what(l: int) -> str:
        return f"one per neuron of layer {l}: {', '.join(namer.neuron(l, j) for j in range(network.layers[l]))}"

    entries = checks.as_list(value, key)
    if len(entries) != network.depth:
        noun = "lists" if shape == "neurons" else "matrices"
        raise SpecError(key, f"expected {network.depth} {noun} (one per layer after the inputs), got {len(entries)}")
    found = {}
    for i, entry in enumerate(entries):
        l, field = i + 1, f"{key}[{i}]"
        if shape == "neurons":
            numbers = checks.vector(entry, field, network.layers[l], what(l))
            found.update({wrap(l, j): v for j, v in enumerate(numbers)})
        else:
            matrix = checks.matrix(entry, field, network.layers[l], network.layers[l - 1], what(l), what(l - 1))
            found.update({wrap(Weight(l, j, k)): v for j, row in enumerate(matrix) for k, v in enumerate(row)})
    return found


def _read_result(result: Any, network: Network, namer: Namer) -> dict:
    """{result key: {quantity key: number}} from what the student's function returned."""
    if not isinstance(result, dict):
        if result is None:
            raise _Problem("your function returned None, not a dict: is its `return` missing?")
        raise _Problem(f"your function returned {checks.shown(result)}, not a dict with any of the keys "
                       f"{', '.join(RESULT_KEYS)}")
    for key in result:
        if key not in RESULT_KEYS:
            close_key = difflib.get_close_matches(str(key), RESULT_KEYS, n=1)
            hint = f"did you mean {close_key[0]!r}? " if close_key else ""
            raise _Problem(f"your result has an unknown key {key!r} ({hint}the keys are {', '.join(RESULT_KEYS)})")
    if not result:
        raise _Problem(f"your result is an empty dict: return at least one of {', '.join(RESULT_KEYS)}")
    found = {}
    for key in RESULT_KEYS:
        if key in result:
            try:
                found[key] = _read(result[key], key, network, namer)
            except SpecError as exc:
                raise _Problem(f"your result's {exc}") from None
    return found


def _where(exc: BaseException, fn: Callable) -> str:
    """' (line 12 of homework.py, in backprop)': the deepest frame in the function's own file, else the deepest."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = getattr(getattr(fn, "__code__", None), "co_filename", None)
    mine = [f for f in frames if f.filename == own] or frames[-1:]
    if not mine:
        return ""
    frame = mine[-1]
    return f" (line {frame.lineno} of {Path(frame.filename).name}, in {frame.name})"


# --- the report ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuantityCheck:
    """One quantity the student's function gave: its printed name, its group, the right value and theirs."""

    name: str        # as the text walkthrough prints it: net_h1, delta_o1, dE_total/dw5, w5+
    group: str       # the result key it came under: net, out, loss, delta, grad_weights, ...
    expected: float
    got: float
    right: bool


@dataclass(frozen=True)
class CheckReport:
    """What :func:`check_backprop` found.

    ``ok``: every quantity given is right (to 1e-6 relative or 1e-9 absolute). ``first_wrong``: the
    first wrong quantity in evaluation order, by its printed name, or None. ``mistake``: the id of
    the catalogue mistake whose numbers the student's match, or None. ``problem``: one line when
    the function could not be checked (it raised, or returned something malformed); then
    ``results`` is empty and ``ok`` is False. ``str(report)`` is the report for the student.
    """

    example: str
    ok: bool
    first_wrong: str | None
    mistake: str | None
    results: tuple = ()
    problem: str | None = None
    form: str | None = None            # which form of the mistake matched
    also_matches: tuple = ()           # further mistakes whose numbers match as well
    not_applicable: tuple = ()         # sentences: mistakes that cannot happen on this network
    sample: int = 0
    learning_rate: float = 0.0

    @property
    def wrong(self) -> tuple:
        """The wrong quantities, in evaluation order."""
        return tuple(r for r in self.results if not r.right)

    def _group_lines(self) -> list:
        lines = []
        width = max(len(text) for text in _GROUPS.values())
        for key in RESULT_KEYS:
            rows = [r for r in self.results if r.group == key]
            if not rows:
                lines.append(f"  {_GROUPS[key]:<{width}}  not given")
                continue
            wrong = [r.name for r in rows if not r.right]
            if not wrong:
                lines.append(f"  {_GROUPS[key]:<{width}}  right ({len(rows)} of {len(rows)})")
                continue
            listed = ", ".join(wrong[:4]) + (", ..." if len(wrong) > 4 else "")
            lines.append(f"  {_GROUPS[key]:<{width}}  WRONG: {len(wrong)} of {len(rows)} ({listed})")
        return lines

    def __str__(self) -> str:
        if self.problem is not None:
            return f"Cannot check your function: {self.problem}"
        head = (f"Checking your backpropagation on the example {self.example!r} "
                f"(sample {self.sample + 1}, learning rate {fmt(self.learning_rate)}):")
        lines = [head, ""] + self._group_lines() + [""]
        if self.ok:
            lines.append(f"All {len(self.results)} numbers you gave are right.")
            return "\n".join(lines)
        first = next(r for r in self.results if not r.right)
        lines.append(f"First wrong: {first.name}: expected {fmt(first.expected)}, got {fmt(first.got)}.")
        if self.mistake is None:
            lines.append("No known mistake matches these numbers: compare your formula for "
                         f"{first.name} with the walkthrough (notebooks 1 to 4, or python -m backprop_tutor).")
            lines += [f"  Not a candidate here: {reason}" for reason in self.not_applicable]
        else:
            entry = MISTAKES[self.mistake]
            form = f", {self.form}" if self.form and len(FORMS[self.mistake]) > 1 else ""
            lines += [f"Your numbers match a known mistake: {entry.title} ({self.mistake}{form}).",
                      f"  What goes wrong: {entry.explanation}",
                      f"  How to fix it: {entry.fix}"]
            if self.also_matches:
                lines.append(f"  (They also match: {', '.join(self.also_matches)}.)")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def _function_input(example: Example, sample: int) -> dict:
    layout = example.network.parameters
    return {
        "weights": [[list(row) for row in w] for w in example.weights],
        "biases": layout.biases_json(example.biases) or [],
        "inputs": list(example.inputs[sample]),
        "targets": list(example.targets[sample]),
        "learning_rate": example.learning_rate,
        "train_bias": example.network.train_bias,
    }


def check_backprop(fn: Callable, example: str | Path | Example = "mazur", sample: int = 0) -> CheckReport:
    """Check a student's backpropagation ``fn`` on one sample of an example, and name its mistake.

    ``fn`` takes **one dict**, in the worked example's layout, with plain lists:
    ``{"weights": weights[l][to][from], "biases": ..., "inputs": one sample's inputs, "targets": its
    targets, "learning_rate": η, "train_bias": whether the biases are updated}``, and returns a dict
    with any of ``net``, ``out``, ``loss``, ``delta``, ``grad_weights``, ``grad_biases``, ``weights``,
    ``biases`` (the updated parameters), shaped as the result JSON's ``first_step``.

    A problem with the function (it raises, returns no dict, a wrong shape, an unknown key, NaN or
    text) never raises here: the report's ``problem`` says it in one line. A bad ``example`` or
    ``fn`` that is not callable raise :class:`SpecError`.
    """
    example = as_example(example)
    sample = sample_index(example, sample)
    if not callable(fn):
        raise SpecError("fn", f"expected a function that takes one dict, got {checks.shown(fn)}")
    network = example.network
    namer = Namer(network, "mazur")
    base = {"example": example.name, "sample": sample, "learning_rate": example.learning_rate}

    def problem(text: str) -> CheckReport:
        return CheckReport(ok=False, first_wrong=None, mistake=None, problem=text, **base)

    try:
        result = fn(_function_input(example, sample))
    except Exception as exc:  # the student's code: any exception becomes one line of the report
        message = " ".join(str(exc).split())
        return problem(f"your function raised {type(exc).__name__}{': ' + message if message else ''}"
                       f"{_where(exc, fn)}")
    try:
        given = _read_result(result, network, namer)
    except _Problem as exc:
        return problem(str(exc))

    right = evaluate_step(example, sample)
    order = [(group, key) for group, key in step_order(network) if group in given]
    results = tuple(
        QuantityCheck(namer.text(key), group, right[key], given[group][key], close(given[group][key], right[key]))
        for group, key in order
    )
    wrong = [r for r in results if not r.right]
    not_applicable = tuple(reason for m in MISTAKES if (reason := applicability(example, m)) is not None)
    if not wrong:
        return CheckReport(ok=True, first_wrong=None, mistake=None, results=results,
                           not_applicable=not_applicable, **base)
    matches = []
    for mistake_id in MISTAKES:
        for variant in forms(network, mistake_id):
            if variant.same:
                continue
            values = run_step(variant, example, sample)
            if all(close(given[group][key], values[key]) for group, key in order):
                matches.append((mistake_id, variant.label))
                break
    mistake, form = matches[0] if matches else (None, None)
    return CheckReport(ok=False, first_wrong=wrong[0].name, mistake=mistake, results=results, form=form,
                       also_matches=tuple(m for m, _ in matches[1:]), not_applicable=not_applicable, **base)
