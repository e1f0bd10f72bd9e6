"""Exercises as plain Python: a generated example, the question, the answer, a grader and hints.

Grading typed numbers (``read_number``, ``grade_number``, ``Feedback``) lives in :mod:`grading`,
shared with the step-through's Predict first.

Like PrairieLearn's questions, each exercise is drawn from a seed (``make_exercise(kind, seed)``)
and its answer, tolerance, solution and hints are computed by the package from the walkthrough
and the engine, never typed. A view shows it and passes the learner's text to :meth:`Exercise.grade`,
which reads numbers with :func:`read_number` (float() and a comma decimal, nothing evaluated).

Kinds:
- ``compute``: a quantity by hand (net_h1, E_total, δ_h2, ∂E/∂w6, w7⁺); right within 1% (or the
  printed precision, whichever is looser), close within 10%; a wrong number gets a hint: first
  the formula or the factor that went wrong, on a later try the formula with numbers.
- ``sign``: will gradient descent increase or decrease a weight?
- ``chain``: pick, from candidate partial derivatives, the factors whose product is ∂E/∂w.
- ``learning_rate``: what will training at a rate do: converge slowly, converge, oscillate or diverge?

What is asked can be narrowed: ``topic`` picks a family (``COMPUTE_TOPICS`` for compute, ``output``
or ``hidden`` weights for sign and chain), ``quantity`` one quantity by its printed name
(``"net_h1"``, ``"dE_total/dw5"``, ``"w5"``). A wrong answer's feedback never gives the value
away: the solution does, when asked for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from ..core import registry
from ..core.checks import SpecError
from ..core.engine import train
from ..core.example_files import load_example
from ..core.quantities import (
    Delta,
    ErrorTerm,
    Net,
    Out,
    Quantity,
    Target,
    TotalError,
    Updated,
    Weight,
    gradient,
    renamed,
)
from ..core.spec import Example
from .formatting import aligned_tex, fmt, rhs
from .grading import DIRECTIONS, Feedback, grade_number, right_within
from .notation import Namer, quantity
from .random_examples import random_example
from .walkthrough import Step, walkthrough

__all__ = [
    "COMPUTE_TOPICS",
    "KINDS",
    "LAYER_TOPICS",
    "RATE_OUTCOMES",
    "Exercise",
    "Solution",
    "example_text",
    "make_exercise",
    "rate_outcome",
]

KINDS = ("compute", "sign", "chain", "learning_rate")
RATE_OUTCOMES = ("converge slowly", "converge", "oscillate", "diverge")
# What a compute exercise may ask, lesson by lesson: forward pass, error, output layer, hidden layer, update.
COMPUTE_TOPICS = ("net", "out", "error", "total_error", "delta_output", "gradient_output", "delta_hidden",
                  "gradient_hidden", "update", "update_output", "update_hidden")
# Which weights a sign or chain exercise may ask about.
LAYER_TOPICS = ("output", "hidden")
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



def _solution(step: Step) -> Solution:
    return Solution(step.formula.text, rhs(step.formula.text_numbers), step.value_text,
                    aligned_tex(step.formula, step.value_tex))


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

    def grade(self, typed, attempt: int | None = None) -> Feedback:
        """Grade the learner's answer: typed text for compute, a choice or a list of choices otherwise.

        The text is only read (a number by :func:`read_number`, a choice by name), never evaluated.
        A wrong answer's message does not give the answer away; ``attempt`` (1, 2, ...) makes the
        first hint of a compute exercise a gentler one.
        """
        if self.kind == "compute":
            return grade_number(self.step, typed, reveal=False, attempt=attempt)
        if self.kind == "chain":
            picked = tuple(typed) if isinstance(typed, (list, tuple, set, frozenset)) else \
                tuple(p.strip() for p in str(typed if typed is not None else "").split(",") if p.strip())
            if not picked:
                return Feedback("invalid", "pick the factors first")
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
        choice = str(typed if typed is not None else "").strip().lower()
        if choice not in self.choices:
            return Feedback("invalid", f"expected one of: {', '.join(self.choices)}")
        if choice == self.answer:
            return Feedback("right", f"Right: {self.answer}. {self.solution.substituted}")
        return Feedback("off", "Not quite.", self.hints[0] if self.hints else "")

    def as_dict(self, answers: bool = True) -> dict:
        """The exercise as the sheets' JSON writes it; without ``answers``, answer, tolerance and solution are null."""
        from ..core.example_files import example_to_dict

        answer = list(self.answer) if isinstance(self.answer, tuple) else self.answer
        return {"id": self.id, "kind": self.kind, "question": self.question,
                "example": example_to_dict(self.example), "asks": self.asks,
                "answer": answer if answers else None, "tolerance": self.tolerance if answers else None,
                "solution": self.solution.as_dict() if answers else None}


def example_text(example: Example, notation: str = "mazur", *, targets: bool = True, rate: bool = True) -> str:
    """The example's numbers as a sheet prints them: inputs, targets, weights, biases and η.

    ``targets=False`` or ``rate=False`` leaves out what a question does not need (a forward pass
    needs neither the targets nor the learning rate).
    """
    namer = Namer(example.network, notation)
    net = example.network
    items = [(Out(0, k), v) for k, v in enumerate(example.inputs[0])]
    if targets:
        items += [(Target(j), v) for j, v in enumerate(example.targets[0])]
    items += list(zip(net.parameters.keys, example.flat_parameters()))
    numbers = ", ".join(f"{namer.text(k)} = {fmt(v)}" for k, v in items)
    return f"{numbers}; learning rate η = {fmt(example.learning_rate)}" if rate else numbers


# --- generators --------------------------------------------------------------------------------

_DEFAULT_COMPUTE = ("delta_output", "delta_hidden", "gradient_output", "gradient_hidden", "update")


def _topics(topic, allowed: tuple, default: tuple) -> tuple:
    """The topics asked for (one name or several), checked against ``allowed``."""
    if topic is None:
        return default
    topics = (topic,) if isinstance(topic, str) else tuple(topic)
    bad = [t for t in topics if t not in allowed]
    if bad or not topics:
        raise SpecError("topic", f"expected one or more of {', '.join(allowed)}; got {bad[0] if bad else topic!r}")
    return topics


def _topic_keys(topic: str, example: Example) -> list:
    """Every quantity a compute exercise of ``topic`` may ask on this network, in walkthrough order."""
    net = example.network
    L = net.depth
    neurons = [(l, j) for l in range(1, L + 1) for j in range(net.layers[l])]
    weights = [k for k in net.parameters.keys if isinstance(k, Weight)]
    return {
        "net": [Net(l, j) for l, j in neurons],
        "out": [Out(l, j) for l, j in neurons],
        "error": [ErrorTerm(j) for j in range(net.layers[L])],
        "total_error": [TotalError()],
        "delta_output": [Delta(L, j) for j in range(net.layers[L])],
        "delta_hidden": [Delta(l, j) for l, j in neurons if l < L],
        "gradient_output": [gradient(k) for k in weights if k.layer == L],
        "gradient_hidden": [gradient(k) for k in weights if k.layer < L],
        "update": [Updated(k) for k in weights],
        "update_output": [Updated(k) for k in weights if k.layer == L],
        "update_hidden": [Updated(k) for k in weights if k.layer < L],
    }[topic]


def _compute_key(rng: random.Random, example: Example, topics: tuple = _DEFAULT_COMPUTE) -> Quantity:
    """A quantity to compute: a topic drawn from ``topics`` (those this network has), then one of its quantities."""
    usable = [t for t in topics if _topic_keys(t, example)]
    if not usable:
        raise SpecError("topic", f"this network has nothing to ask for {', '.join(topics)}")
    return rng.choice(_topic_keys(rng.choice(usable), example))


def _weight_choices(example: Example, topics: tuple) -> list:
    """The weights a sign or chain exercise may ask about: those of the output layer, the hidden layers or both."""
    L = example.network.depth
    weights = [k for k in example.network.parameters.keys if isinstance(k, Weight)]
    chosen = [k for k in weights if ("output" if k.layer == L else "hidden") in topics]
    if not chosen:
        raise SpecError("topic", f"this network has no {' or '.join(topics)} weights")
    return chosen


def _asked(example: Example, name, kind: str) -> Quantity:
    """The quantity a learner is asked for, from a printed name or a key, checked for the kind."""
    try:
        key = renamed(quantity(name, example.network))
    except SpecError as exc:
        raise SpecError("quantity", exc.reason) from None
    if kind != "compute" and not isinstance(key, Weight):
        raise SpecError("quantity", f"expected a weight such as 'w5' for a {kind} exercise; got {name!r}")
    return key


def _structure(example: Example, loss: bool = True) -> str:
    net = example.network
    sizes = "-".join(str(n) for n in net.layers)
    neurons = " and ".join(dict.fromkeys(net.activations))
    text = f"In the {sizes} network with {neurons} neurons"
    if loss:
        total_error = Namer(net).text(TotalError())
        text += f" and {total_error} = Σ ½(target − out)²" if net.loss == "half_sse" else f" and the {net.loss} loss"
    return text


def _intro(example: Example, targets: bool = True, rate: bool = True) -> str:
    """The network and the numbers a question needs: a forward pass needs neither targets nor η."""
    return f"{_structure(example, loss=targets)}, take {example_text(example, targets=targets, rate=rate)}. "


def _compute(rng, example, seed, topics=_DEFAULT_COMPUTE, asked=None) -> Exercise:
    walk = walkthrough(example)
    key = _compute_key(rng, example, topics) if asked is None else asked
    try:
        step = walk.step_for(key)
    except KeyError:
        raise SpecError("quantity", f"no step of the walkthrough computes {Namer(example.network).text(key)}") \
            from None
    forward = isinstance(key, (Net, Out))
    intro = _intro(example, targets=not forward, rate=isinstance(key, Updated))
    return Exercise(f"compute-{seed}", "compute", intro + f"Compute {step.name_text}.", example,
                    step.name_text, float(step.value), right_within(float(step.value)), _solution(step),
                    hints=(step.explanation, f"{step.formula.text}"), step=step)


def _sign(rng, example, seed, topics=LAYER_TOPICS, asked=None) -> Exercise:
    walk = walkthrough(example)
    weight = rng.choice(_weight_choices(example, topics)) if asked is None else asked
    step = walk.step_for(gradient(weight))
    update = walk.step_for(Updated(weight))
    name = Namer(example.network).text(weight)
    direction = "decrease" if step.value > 0 else "increase"
    hint = (f"Gradient descent moves against the gradient: {name}+ = {name} − η·{step.name_text}; "
            f"what is the sign of {step.name_text}?")
    solution = Solution(update.formula.text, f"{step.name_text} = {step.value_text}, so {name} will {direction}: "
                        f"{rhs(update.formula.text_numbers)} = {update.value_text}", direction,
                        aligned_tex(update.formula, update.value_tex))
    return Exercise(f"sign-{seed}", "sign", _intro(example) + f"After one step of gradient descent, will {name} "
                    "increase or decrease?", example, update.name_text, direction, None, solution,
                    hints=(hint,), choices=DIRECTIONS, step=step)


def _chain(rng, example, seed, topics=LAYER_TOPICS, asked=None) -> Exercise:
    walk = walkthrough(example)
    net = example.network
    namer = Namer(net)
    weights = [k for k in net.parameters.keys if isinstance(k, Weight)]
    weight = rng.choice(_weight_choices(example, topics)) if asked is None else asked
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
    solution = Solution(f"{step.name_text} = {product}", rhs(step.formula.text_numbers), step.value_text,
                        aligned_tex(step.formula, step.value_tex))
    return Exercise(f"chain-{seed}", "chain", f"{_structure(example)}, which partial derivatives multiply to give "
                    f"{step.name_text}? Pick them from: {', '.join(choices)}.", example, step.name_text, answer,
                    None, solution,
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
_RATE_SETTINGS = (("mazur", 0.005), ("mazur", 0.5), ("xor", 0.05), ("xor", 2.0), ("xor", 40.0),
                  ("linear", 0.3), ("linear", 2.0), ("linear", 5.0))
_RATE_EPOCHS = 2000
_STUDENT_NAMES = {"mazur": "Mazur's example", "xor": "the XOR example",
                  "linear": "Mazur's example with a linear output neuron"}


@cache
def _rate_run(name: str, rate: float, generation: int) -> tuple:
    """The example of a setting and what training it did: (example, first loss, last loss, diverged_at, outcome).

    Kept once per setting and registry generation (an activation registered again retrains), so
    a sheet or **New numbers** does not train the same setting twice.
    """
    base = _linear_output(load_example("mazur")) if name == "linear" else load_example(name)
    result = train(base, epochs=_RATE_EPOCHS, learning_rate=rate)
    outcome = rate_outcome(result.loss_history, result.diverged_at)
    return base, float(result.loss_history[0]), float(result.loss), result.diverged_at, outcome


def _learning_rate(rng, example, seed, topics=(), asked=None) -> Exercise:
    name, rate = rng.choice(_RATE_SETTINGS)
    base, first, last, diverged_at, outcome = _rate_run(name, rate, registry.generation())
    start, end = fmt(first, 4), fmt(last, 4)
    what = f"the loss goes from {start} to {end}"
    if diverged_at is not None:
        what = f"the loss goes from {start} to infinity: it diverges at epoch {diverged_at}"
    solution = Solution(f"train {_RATE_EPOCHS} epochs at η = {fmt(rate)}", what, outcome)
    sizes = "-".join(str(n) for n in base.network.layers)
    return Exercise(f"learning_rate-{seed}", "learning_rate",
                    f"The {sizes} network of {_STUDENT_NAMES[name]} is trained for {_RATE_EPOCHS} epochs "
                    f"at learning rate η = {fmt(rate)}. What will the loss do: "
                    "converge slowly, converge, oscillate or diverge?",
                    base, Namer(base.network).text(TotalError()), outcome, None, solution,
                    hints=("A step is η times the slope: too small a step creeps, too large a step overshoots "
                           "the valley and can climb the other side.",), choices=RATE_OUTCOMES)


_MAKERS = {"compute": _compute, "sign": _sign, "chain": _chain, "learning_rate": _learning_rate}


def make_exercise(kind: str, seed: int, example: Example | None = None, *, topic=None,
                  quantity: str | tuple | None = None) -> Exercise:
    """An exercise of ``kind`` on ``example`` (default: a fresh practice network drawn from ``seed``).

    ``topic`` narrows what is asked: for compute one or more of ``COMPUTE_TOPICS`` (``"net"``,
    ``"delta_hidden"``, ...), for sign and chain ``"output"`` or ``"hidden"`` weights.
    ``quantity`` asks for one quantity by its printed name or key: ``"net_h1"``, ``"dE_total/dw5"``,
    ``"w5+"`` (compute) or a weight ``"w5"`` (sign, chain). The same arguments give the same exercise.
    """
    if kind not in _MAKERS:
        raise SpecError("kind", f"expected one of {', '.join(KINDS)}; got {kind!r}")
    if kind == "learning_rate" and (topic is not None or quantity is not None):
        raise SpecError("topic", "a learning_rate exercise takes no topic or quantity")
    if topic is not None and quantity is not None:
        raise SpecError("quantity", "give a topic or a quantity, not both")
    rng = random.Random(f"{kind}-{seed}")
    example = random_example(seed) if example is None else example
    allowed = COMPUTE_TOPICS if kind == "compute" else LAYER_TOPICS
    topics = _topics(topic, allowed, _DEFAULT_COMPUTE if kind == "compute" else LAYER_TOPICS)
    asked = None if quantity is None else _asked(example, quantity, kind)
    return _MAKERS[kind](rng, example, seed, topics, asked)

