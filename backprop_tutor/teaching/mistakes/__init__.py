"""Common backpropagation mistakes, each run through a variant of the derivation, and a checker that names them.

Every mistake in :data:`MISTAKES` is a transformation of the SymPy expressions the derivation
derived, compiled by the same bridge as the right backpropagation: never a second, hand-written
backpropagation. One job per module, bottom first:

- :mod:`.catalogue`: the mistakes in words (:class:`Mistake`, :data:`MISTAKES`);
- :mod:`.rules`: how each mistake changes the rules that assemble the backward pass;
- :mod:`.variants`: those changed derivations compiled and run on one sample
  (:func:`mistake_step`, :func:`applicability`);
- :mod:`.checker`: a student's function checked and its mistake named (:func:`check_backprop`);
- :mod:`.gallery`: the notebook's tables, training runs and gradient checks.

Each module's ``__all__`` is what it offers the modules above it; this package's ``__all__`` is
the public API.
"""

from __future__ import annotations

from .catalogue import MISTAKES, Mistake
from .checker import RESULT_KEYS, CheckReport, QuantityCheck, check_backprop
from .gallery import (
    GradientCheck,
    MistakeTable,
    gradient_check,
    mistake_table,
    train_with_mistake,
    training_summary,
)
from .variants import applicability, mistake_step

__all__ = [
    "MISTAKES",
    "RESULT_KEYS",
    "CheckReport",
    "GradientCheck",
    "Mistake",
    "MistakeTable",
    "QuantityCheck",
    "applicability",
    "check_backprop",
    "gradient_check",
    "mistake_step",
    "mistake_table",
    "train_with_mistake",
    "training_summary",
]
