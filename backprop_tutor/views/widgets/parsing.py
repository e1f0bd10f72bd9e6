"""Read what a student typed into the editor's text fields: lists, rows and matrices of numbers.

Each number goes through the package's one validation path (:mod:`backprop_tutor.core.checks`),
which reads text with float() only: nothing typed is ever evaluated, so '1+1' or
'__import__(...)' is just text that is not a number.
"""

from __future__ import annotations

import re

from ...core.checks import SpecError, number, whole_number

__all__ = ["format_matrices", "format_rows", "parse_matrices", "parse_names", "parse_numbers", "parse_rows",
           "parse_whole_numbers"]

_SEPARATOR = re.compile(r"[,\s]+")


def parse_numbers(text: str, field: str) -> list:
    """'0.15, 0.2' -> [0.15, 0.2]; commas or spaces separate numbers."""
    tokens = [t for t in _SEPARATOR.split(text.strip()) if t]
    if not tokens:
        raise SpecError(field, "expected at least one number")
    return [number(t, field, text=True) for t in tokens]


def parse_whole_numbers(text: str, field: str) -> list:
    """'2, 2, 2' -> [2, 2, 2]."""
    values = [whole_number(t, field, text=True) for t in _SEPARATOR.split(text.strip()) if t]
    if not values:
        raise SpecError(field, "expected at least one whole number")
    return values


def parse_names(text: str, field: str) -> list:
    """'sigmoid, tanh' -> ['sigmoid', 'tanh'] (checked against the allowed names by the spec)."""
    names = [t for t in _SEPARATOR.split(text.strip()) if t]
    if not names:
        raise SpecError(field, "expected at least one name")
    return names


def parse_rows(text: str, field: str) -> list:
    """One row of numbers per line."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise SpecError(field, "expected at least one row")
    return [parse_numbers(line, f"{field} row {i + 1}") for i, line in enumerate(lines)]


def parse_matrices(text: str, field: str) -> list:
    """Matrices separated by a blank line, one row per line."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    if not blocks:
        raise SpecError(field, "expected at least one matrix")
    return [parse_rows(block, f"{field} matrix {i + 1}") for i, block in enumerate(blocks)]


def format_rows(rows) -> str:
    """The inverse of parse_rows."""
    return "\n".join(", ".join(f"{v:.10g}" for v in row) for row in rows)


def format_matrices(matrices) -> str:
    """The inverse of parse_matrices."""
    return "\n\n".join(format_rows(m) for m in matrices)
