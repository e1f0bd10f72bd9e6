"""Grading what a learner typed: a number read safely, right / close / off, and a hint that names a factor.

Shared by the step-through's Predict first and the exercises. A number is read by float() alone
(a comma decimal and a typographic minus are accepted): nothing typed is ever evaluated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.checks import SpecError
from .formatting import rhs
from .walkthrough import Step

__all__ = ["CLOSE", "DIRECTIONS", "NUMBER_MESSAGE", "RIGHT", "Feedback", "grade_number", "read_number",
           "right_within"]

DIRECTIONS = ("increase", "decrease")
NUMBER_MESSAGE = "expected a number such as 0.0822"
RIGHT, CLOSE = 0.01, 0.10   # relative error of a right and of a close answer


def read_number(text) -> float:
    """A number a learner typed: '0.0822', ' -1.5e-3 ', '−0.5', or with a comma decimal '0,0822'.

    Read by float() alone, never evaluated: '1+1' or "__import__('os')" is not a number.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        cleaned = str(text).strip().replace(" ", "").replace("\u2212", "-")   # a typographic minus
        if cleaned.count(",") == 1 and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")   # a comma decimal: 0,0822
        if "_" in cleaned:
            raise SpecError("answer", NUMBER_MESSAGE)   # float() would read 1_0 as ten
        try:
            value = float(cleaned)
        except ValueError:
            raise SpecError("answer", NUMBER_MESSAGE) from None
    if not math.isfinite(value):
        raise SpecError("answer", NUMBER_MESSAGE)
    return value


def right_within(value: float) -> float:
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


def grade_number(step: Step, typed, *, reveal: bool = True, attempt: int | None = None) -> Feedback:
    """Grade a number typed for a walkthrough step: right, close or off, with a hint that names a factor.

    ``reveal=False`` keeps the value out of a close or off answer's message (an exercise the
    learner tries again); ``attempt`` 1 gives a first hint without numbers where the mistake is
    not recognised, a later attempt (or None) the formula with numbers.
    """
    try:
        guess = read_number(typed)
    except SpecError as exc:
        return Feedback("invalid", exc.reason)
    value = float(step.value)
    error = abs(guess - value)
    if error <= right_within(value):
        return Feedback("right", f"Right: {step.name_text} = {step.value_text}.")
    shown = f": {step.name_text} = {step.value_text}" if reveal else ""
    if error <= CLOSE * abs(value):
        return Feedback("close", f"Close, but not within 1%{shown}. "
                                 "Keep more digits in the intermediate values.", _hint(step, guess, attempt))
    return Feedback("off", f"Not quite{shown}.", _hint(step, guess, attempt))


def _hint(step: Step, guess: float, attempt: int | None = None) -> str:
    """Which factor to recompute: one that was left out, a sign, or the first factor of the chain."""
    value = float(step.value)
    if value and math.isclose(guess, -value, rel_tol=RIGHT):
        return "Check the sign: the error's slope is out − target, not target − out."
    for _, name_text, form, factor_value in step.factors:
        if factor_value and math.isclose(guess * factor_value, value, rel_tol=RIGHT):
            return f"You left out a factor: recompute {name_text}, {rhs(form.text)} = {rhs(form.text_numbers)}."
    if attempt == 1:
        return f"Start from the formula: {step.formula.text}."
    if step.factors:
        _, name_text, form, _ = step.factors[0]
        return f"Recompute each factor, starting with {name_text} = {rhs(form.text_numbers)}."
    return f"Recompute {step.name_text} = {rhs(step.formula.text_numbers)}."



