"""The one validation path for numbers, learning rates, epochs and choices.

The spec, the engine, the command line and the editor's text fields all check through these
functions, so the same mistake gets the same words everywhere: typing ``-1`` as a learning
rate in the editor, passing ``--learning-rate -1`` or calling ``train(..., learning_rate=-1)``
all say ``learning_rate: expected a positive number, got -1``.

Text is read with ``float()`` and a whole-number pattern only (``text=True``): nothing typed is
ever evaluated, so ``1+1`` or ``__import__('os')`` is just text that is not a number.
"""

from __future__ import annotations

import math
import re
from numbers import Integral, Real
from typing import Any

__all__ = ["MAX_DIGITS", "LongWholeNumber", "SpecError", "as_list", "choice", "learning_rate",
           "matrix", "number", "shown", "vector", "whole_number"]

_WHOLE = re.compile(r"[+-]?\d+")
# A float ends near 1.8e308: a whole number with more digits than this is no number a network can use,
# and Python refuses to even convert one of more than 4,300 digits.
MAX_DIGITS = 308


class LongWholeNumber(float):
    """A whole number read from a file with more digits than any float holds: infinite, and how long it was."""

    def __new__(cls, digits: int, negative: bool = False):
        value = super().__new__(cls, -math.inf if negative else math.inf)
        value.digits = digits
        return value


class SpecError(ValueError):
    """A one-line error about one field: ``str(error)`` is ``"field: reason"``."""

    def __init__(self, field_name: str, reason: str):
        self.field = field_name
        # A value with a newline in it must not break the message over two lines.
        self.reason = " ".join(str(reason).split())
        super().__init__(f"{field_name}: {self.reason}")


def shown(value: Any) -> str:
    """A value as an error message quotes it: numbers as numbers (-1, 0.5, 2.5), text in quotes."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, Integral):
        digits = len(str(abs(int(value)))) if abs(int(value)).bit_length() <= 3 * MAX_DIGITS else None
        return str(int(value)) if digits is not None and digits <= MAX_DIGITS else \
            f"a whole number with about {int(abs(int(value)).bit_length() * math.log10(2)) + 1} digits"
    if isinstance(value, LongWholeNumber):
        return f"a whole number with {value.digits} digits"
    if isinstance(value, Real):
        return repr(float(value))
    if isinstance(value, str):
        return f"text {value!r}"
    return f"{type(value).__name__} {value!r}"


def _from_text(value: Any, text: bool, field: str) -> Any:
    """A number typed as text, read by float() or as a whole number; anything else is returned as it is."""
    if not (text and isinstance(value, str)):
        return value
    stripped = value.strip()
    if _WHOLE.fullmatch(stripped):
        digits = len(stripped.lstrip("+-"))
        if digits > MAX_DIGITS:
            raise SpecError(field, f"expected a number, got a whole number with {digits} digits")
        return int(stripped)
    try:
        return float(stripped)
    except ValueError:
        return value


def number(value: Any, field: str, *, text: bool = False) -> float:
    """A finite number (``text=True``: also a number typed as text)."""
    value = _from_text(value, text, field)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise SpecError(field, f"expected a number, got {shown(value)}")
    try:
        result = float(value)
    except OverflowError:   # a whole number past float's range
        raise SpecError(field, f"expected a finite number, got {shown(value)}") from None
    if not math.isfinite(result):
        raise SpecError(field, f"expected a finite number, got {shown(value)}")
    return result


def learning_rate(value: Any, field: str = "learning_rate", *, text: bool = False) -> float:
    """A positive finite learning rate."""
    rate = number(value, field, text=text)
    if rate <= 0:
        raise SpecError(field, f"expected a positive number, got {shown(_from_text(value, text, field))}")
    return rate


def whole_number(value: Any, field: str, minimum: int = 0, *, text: bool = False) -> int:
    """A whole number >= ``minimum`` (epochs, layer sizes, a sample index)."""
    value = _from_text(value, text, field)
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise SpecError(field, f"expected a whole number >= {minimum}, got {shown(value)}")
    if int(value).bit_length() > 1024:   # past float's range: no count of anything this tutorial can run
        raise SpecError(field, f"expected a whole number >= {minimum} that fits a float, got {shown(value)}")
    return int(value)


def choice(value: Any, field: str, choices) -> str:
    """One of ``choices`` (names such as activations, losses, bias modes)."""
    if not isinstance(value, str) or value not in choices:
        raise SpecError(field, f"expected one of {', '.join(choices)}; got {value!r}")
    return value


def as_list(value: Any, field: str) -> list:
    """A list from a list, a tuple or a NumPy array (without importing NumPy here)."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise SpecError(field, f"expected a list, got {shown(value)}")
    return list(value)


def vector(value: Any, field: str, length: int, what: str) -> tuple:
    """Exactly ``length`` finite numbers; ``what`` says what each one is."""
    items = as_list(value, field)
    if len(items) != length:
        raise SpecError(field, f"expected {length} numbers ({what}), got {len(items)}")
    return tuple(number(item, f"{field}[{i}]") for i, item in enumerate(items))


def matrix(value: Any, field: str, rows: int, cols: int, row_what: str, col_what: str) -> tuple:
    """``rows`` rows of ``cols`` finite numbers each."""
    items = as_list(value, field)
    if len(items) != rows:
        raise SpecError(field, f"expected {rows} rows ({row_what}), got {len(items)}")
    return tuple(vector(row, f"{field}[{i}]", cols, col_what) for i, row in enumerate(items))
