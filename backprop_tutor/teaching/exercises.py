"""Exercises as plain Python: a generated example, the question, the answer, a grader and hints.

Like PrairieLearn's questions, each exercise is drawn from a seed (``make_exercise(kind, seed)``)
and its answer, tolerance, solution and hints are computed by the package from the walkthrough
and the engine, never typed. A view shows it and passes the learner's text to :meth:`Exercise.grade`,
which reads numbers with :func:`read_number` (float() and a comma decimal, nothing evaluated).

Kinds:
- ``compute``: a quantity by hand (δ_h2, ∂E/∂w6, w7⁺); right within 1% (or the printed
  precision, whichever is looser), close within 10%; a wrong number gets a hint naming the
  factor to recompute.
- ``sign``: will gradient descent increase or decrease a weight?
- ``chain``: pick, from candidate partial derivatives, the factors whose product is ∂E/∂w.
- ``learning_rate``: what will training at a rate do: converge slowly, converge, oscillate or diverge?
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

from ..core.checks import SpecError
from ..core.engine import train
from ..core.example_files import load_example
from ..core.quantities import Delta, Out, Quantity, Target, Updated, Weight, gradient
from ..core.spec import Example
from .formatting import fmt
from .notation import Namer
from .random_examples import random_example
from .walkthrough import Step, walkthrough

__all__ = [
    "KINDS",
    "RATE_OUTCOMES",
    "Exercise",
    "Feedback",
    "Solution",
    "example_text",
    "grade_number",
    "make_exercise",
    "read_number",
]

KINDS = ("compute", "sign", "chain", "learning_rate")
RATE_OUTCOMES = ("converge slowly", "converge", "oscillate", "diverge")
DIRECTIONS = ("increase", "decrease")
NUMBER_MESSAGE = "expected a number such as 0.0822"
RIGHT, CLOSE = 0.01, 0.10   # relative error of a right and of a close answer


def read_number(text) -> float:
    """A number a learner typed: '0.0822', ' -1.5e-3 ', or with a comma decimal '0,0822'."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        cleaned = str(text).strip().replace(" ", "")
        if cleaned.count(",") == 1 and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")   # a comma decimal: 0,0822
        try:
            value = float(cleaned)
        except ValueError:
            raise SpecError("answer", NUMBER_MESSAGE) from None
    if not math.isfinite(value):
        raise SpecError("answer", NUMBER_MESSAGE)
    return value


def _tolerance(value: float) -> float:
    """Right within 1% relative, or half a unit in the ninth significant digit, whichever is looser."""
    printed = 0.5 * 10 ** (math.floor(math.log10(abs(value))) - 8) if value else 5e-10
    return max(RIGHT * abs(value), printed)


@dataclass(frozen=True)
class Feedback:
    """What a learner's answer earned: ``verdict`` is right, close, off or invalid."""

    verdict: str
    message: str
    hint: str = ""

    @property
    def right(self) -> bool:
        return self.verdict == "right"


@dataclass(frozen=True)
class Solution:
    """The worked solution: the formula, the same with numbers, the value (text and LaTeX)."""

    formula: str
    substituted: str
    value: str
    tex: str = ""

    def as_dict(self) -> dict:
        """The JSON form: formula, substituted, value."""
        return {"formula": self.formula, "substituted": self.substituted, "value": self.value}


def _rhs(equation: str) -> str:
    return equation.partition(" = ")[2]


def _solution(step: Step) -> Solution:
    from .formatting import aligned_tex

    return Solution(step.formula.text, _rhs(step.formula.text_numbers), step.value_text,
                    aligned_tex(step.formula, step.value_tex))


def grade_number(step: Step, typed) -> Feedback:
    """Grade a number typed for a walkthrough step: right, close or off, with a hint that names a factor."""
    try:
        guess = read_number(typed)
    except SpecError as exc:
        return Feedback("invalid", exc.reason)
    value = float(step.value)
    error = abs(guess - value)
    if error <= _tolerance(value):
        return Feedback("right", f"Right: {step.name_text} = {step.value_text}.")
    if error <= CLOSE * abs(value):
        return Feedback("close", f"Close, but not within 1%: {step.name_text} = {step.value_text}. "
                                 "Keep more digits in the intermediate values.", _hint(step, guess))
    return Feedback("off", f"Not quite: {step.name_text} = {step.value_text}.", _hint(step, guess))


def _hint(step: Step, guess: float) -> str:
    """Which factor to recompute: one that was left out, a sign, or the first factor of the chain."""
    value = float(step.value)
    if value and math.isclose(guess, -value, rel_tol=RIGHT):
        return "Check the sign: the error's slope is out − target, not target − out."
    for _, name_text, form, factor_value in step.factors:
        if factor_value and math.isclose(guess * factor_value, value, rel_tol=RIGHT):
            return f"You left out a factor: recompute {name_text}, {_rhs(form.text)} = {_rhs(form.text_numbers)}."
    if step.factors:
        _, name_text, form, _ = step.factors[0]
        return f"Recompute each factor, starting with {name_text} = {_rhs(form.text_numbers)}."
    return f"Recompute {step.name_text} = {_rhs(step.formula.text_numbers)}."


@dataclass(frozen=True)
class Exercise:
    """One exercise: a question on an example, its answer computed by the package, a grader.

    ``answer`` is a float (compute), a direction (sign), a tuple of factor names (chain) or an
    outcome (learning_rate); ``choices`` lists what a learner picks from where there is a choice.
    """

    id: str
    kind: str
    question: str
    example: Example
    asks: str
    answer: float | str | tuple
    tolerance: float | None
    solution: Solution
    hints: tuple = ()
    choices: tuple = ()
    step: Step | None = field(default=None, compare=False, repr=False)

    def grade(self, typed) -> Feedback:
        """Grade the learner's answer: typed text for compute, a choice or a list of choices otherwise."""
        if self.kind == "compute":
            return grade_number(self.step, typed)
        if self.kind == "chain":
            picked = tuple(typed) if isinstance(typed, (list, tuple, set, frozenset)) else \
                tuple(p.strip() for p in str(typed).split(",") if p.strip())
            unknown = [p for p in picked if p not in self.choices]
            if unknown:
                return Feedback("invalid", f"not one of the candidates: {unknown[0]}")
            if set(picked) == set(self.answer):
                return Feedback("right", "Right: " + " · ".join(self.answer) + f" = {self.asks}.")
            missing = [f for f in self.answer if f not in picked]
            extra = [p for p in picked if p not in self.answer]
            hint = (f"{extra[0]} is not on the path from the weight to the error."
                    if extra else f"Something is missing: follow the path from the weight to the error "
                                  f"(you have {len(picked)} of {len(self.answer)} factors).")
            return Feedback("close" if not extra and missing else "off", "Not quite.", hint)
        choice = str(typed).strip().lower()
        if choice not in self.choices:
            return Feedback("invalid", f"expected one of: {', '.join(self.choices)}")
        if choice == self.answer:
            return Feedback("right", f"Right: {self.answer}. {self.solution.substituted}")
        return Feedback("off", f"Not quite: it will {self.answer}.", self.hints[0] if self.hints else "")

    def as_dict(self) -> dict:
        """The exercise as the sheets' JSON writes it."""
        from ..core.example_files import example_to_dict

        answer = list(self.answer) if isinstance(self.answer, tuple) else self.answer
        return {"id": self.id, "kind": self.kind, "question": self.question,
                "example": example_to_dict(self.example), "asks": self.asks, "answer": answer,
                "tolerance": self.tolerance, "solution": self.solution.as_dict()}


def example_text(example: Example, notation: str = "mazur") -> str:
    """The example's numbers as a sheet prints them: inputs, targets, weights, biases and η."""
    namer = Namer(example.network, notation)
    net = example.network
    items = [(Out(0, k), v) for k, v in enumerate(example.inputs[0])]
    items += [(Target(j), v) for j, v in enumerate(example.targets[0])]
    items += list(zip(net.parameters.keys, example.flat_parameters()))
    numbers = ", ".join(f"{namer.text(k)} = {fmt(v)}" for k, v in items)
    return f"{numbers}; learning rate η = {fmt(example.learning_rate)}"


# --- generators --------------------------------------------------------------------------------

_COMPUTE_TARGETS = ("delta_output", "delta_hidden", "gradient_output", "gradient_hidden", "update")


def _compute_key(rng: random.Random, example: Example) -> Quantity:
    net = example.network
    L = net.depth
    what = rng.choice(_COMPUTE_TARGETS if L > 1 else ("delta_output", "gradient_output", "update"))
    layer = L if what.endswith("output") or L == 1 else rng.randrange(1, L)
    weights = [k for k in net.parameters.layer_keys(layer) if isinstance(k, Weight)]
    if what.startswith("delta"):
        return Delta(layer, rng.randrange(net.layers[layer]))
    if what.startswith("gradient"):
        return gradient(rng.choice(weights))
    return Updated(rng.choice([k for k in net.parameters.keys if isinstance(k, Weight)]))


def _intro(example: Example) -> str:
    net = example.network
    sizes = "-".join(str(n) for n in net.layers)
    neurons = " and ".join(dict.fromkeys(net.activations))
    loss = "E_total = Σ ½(target − out)²" if net.loss == "half_sse" else f"the {net.loss} loss"
    return f"In the {sizes} network with {neurons} neurons and {loss}, take {example_text(example)}. "


def _compute(rng, example, seed) -> Exercise:
    walk = walkthrough(example)
    step = walk.step_for(_compute_key(rng, example))
    return Exercise(f"compute-{seed}", "compute", _intro(example) + f"Compute {step.name_text}.", example,
                    step.name_text, float(step.value), _tolerance(float(step.value)), _solution(step),
                    hints=(step.explanation, f"{step.formula.text}"), step=step)


def _sign(rng, example, seed) -> Exercise:
    walk = walkthrough(example)
    weight = rng.choice([k for k in example.network.parameters.keys if isinstance(k, Weight)])
    step = walk.step_for(gradient(weight))
    update = walk.step_for(Updated(weight))
    name = Namer(example.network).text(weight)
    direction = "decrease" if step.value > 0 else "increase"
    hint = (f"Gradient descent moves against the gradient: {name}+ = {name} − η·{step.name_text}; "
            f"what is the sign of {step.name_text}?")
    solution = Solution(update.formula.text, f"{step.name_text} = {step.value_text}, so {name} will {direction}: "
                        f"{_rhs(update.formula.text_numbers)} = {update.value_text}", direction)
    return Exercise(f"sign-{seed}", "sign", _intro(example) + f"After one step of gradient descent, will {name} "
                    "increase or decrease?", example, update.name_text, direction, None, solution,
                    hints=(hint,), choices=DIRECTIONS, step=step)


def _chain(rng, example, seed) -> Exercise:
    walk = walkthrough(example)
    net = example.network
    namer = Namer(net)
    weights = [k for k in net.parameters.keys if isinstance(k, Weight)]
    weight = rng.choice(weights)
    step = walk.step_for(gradient(weight))
    answer = tuple(name for _, name, _, _ in step.factors)
    # Distractors: the same factors of a neighbouring weight, and the other output's slope.
    others = set()
    for other in weights:
        if other != weight:
            others.update(name for _, name, _, _ in walk.step_for(gradient(other)).factors)
    distractors = sorted(others - set(answer))
    rng.shuffle(distractors)
    choices = list(answer) + distractors[:3]
    rng.shuffle(choices)
    product = " · ".join(answer)
    solution = Solution(f"{step.name_text} = {product}", _rhs(step.formula.text_numbers), step.value_text)
    return Exercise(f"chain-{seed}", "chain", f"Which partial derivatives multiply to give {step.name_text}? "
                    f"Pick them from: {', '.join(choices)}.", example, step.name_text, answer, None, solution,
                    hints=(f"Follow the path from {namer.text(weight)} to the error: {namer.text(weight)} feeds "
                           "one net input, which makes one output, which reaches the error.",),
                    choices=tuple(choices), step=step)


def rate_outcome(history, diverged_at) -> str:
    """What a loss history did: diverge, oscillate (it rose in over 2% of epochs), converge or converge slowly."""
    history = np.asarray(history, dtype=float)
    if diverged_at is not None or not np.all(np.isfinite(history)) or history[-1] > history[0]:
        return "diverge"
    # Rises far below the start are round-off, not overshooting.
    audible = history[:-1] > 1e-8 * history[0]
    rises = np.count_nonzero((np.diff(history) > 0) & audible)
    if rises > 0.02 * (len(history) - 1):
        return "oscillate"
    return "converge" if history[-1] < 0.1 * history[0] else "converge slowly"


def _linear_output(example: Example) -> Example:
    net = example.network
    return example.replace(network=type(net)(net.layers, net.activations[:-1] + ("linear",), loss="half_sse",
                                             bias=net.bias, train_bias=net.train_bias),
                           name=f"{example.name} with a linear output")


# Settings that show each outcome; which outcome each gives is found by training, not typed.
_RATE_SETTINGS = (("seed", 0.005), ("seed", 0.5), ("xor", 0.05), ("xor", 2.0), ("xor", 40.0),
                  ("linear", 0.3), ("linear", 2.0), ("linear", 5.0))
_RATE_EPOCHS = 2000
_STUDENT_NAMES = {"seed": "Mazur's example", "xor": "the XOR example",
                  "linear": "Mazur's example with a linear output neuron"}


def _learning_rate(rng, example, seed) -> Exercise:
    name, rate = rng.choice(_RATE_SETTINGS)
    base = _linear_output(load_example("seed")) if name == "linear" else load_example(name)
    result = train(base, epochs=_RATE_EPOCHS, learning_rate=rate)
    outcome = rate_outcome(result.loss_history, result.diverged_at)
    start, end = fmt(result.loss_history[0], 4), fmt(result.loss, 4)
    what = f"the loss goes from {start} to {end}"
    if result.diverged_at is not None:
        what = f"the loss goes from {start} to infinity: it diverges at epoch {result.diverged_at}"
    solution = Solution(f"train {_RATE_EPOCHS} epochs at η = {fmt(rate)}", what, outcome)
    sizes = "-".join(str(n) for n in base.network.layers)
    return Exercise(f"learning_rate-{seed}", "learning_rate",
                    f"The {sizes} network of {_STUDENT_NAMES[name]} is trained for {_RATE_EPOCHS} epochs "
                    f"at learning rate η = {fmt(rate)}. What will the loss do: "
                    "converge slowly, converge, oscillate or diverge?",
                    base, "loss", outcome, None, solution,
                    hints=("A step is η times the slope: too small a step creeps, too large a step overshoots "
                           "the valley and can climb the other side.",), choices=RATE_OUTCOMES)


_MAKERS = {"compute": _compute, "sign": _sign, "chain": _chain, "learning_rate": _learning_rate}


def make_exercise(kind: str, seed: int, example: Example | None = None) -> Exercise:
    """An exercise of ``kind`` on ``example`` (default: a fresh practice network drawn from ``seed``)."""
    if kind not in _MAKERS:
        raise SpecError("kind", f"expected one of {', '.join(KINDS)}; got {kind!r}")
    rng = random.Random(f"{kind}-{seed}")
    example = random_example(seed) if example is None else example
    return _MAKERS[kind](rng, example, seed)

