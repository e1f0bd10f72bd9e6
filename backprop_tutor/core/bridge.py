"""The one bridge from SymPy to numbers: ``lambdify`` the derived expressions.

The derivation already names every intermediate quantity (net, out, delta, gradient), so the
common-subexpression step of ``lambdify(..., cse=...)`` is handed those layered assignments
directly instead of searching for them. The generated function computes exactly the derived
expressions, in order, and nothing else.

Two backends from the same expressions: ``math`` for one network on Python floats (a plain
loop of float operations, as fast as hand-written Python), and ``numpy`` for arrays, where
every parameter may be a vector of configurations (a learning-rate sweep) or samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import PythonCodePrinter

from . import registry, symbolic
from .quantities import LearningRate, Out, TotalError, Updated, gradient
from .registry import numeric_functions
from .spec import Network
from .symbolic import Derivation, derive, symbol_for

__all__ = [
    "Compiled",
    "clear_caches",
    "compile_assignments",
    "compile_network",
    "math_namespace",
    "numpy_namespace",
    "resolved",
]


def _layered_cse(assignments: list) -> Callable:
    # lambdify calls this in place of sympy.cse: the shared subexpressions are our symbols.
    return lambda outputs: (assignments, outputs)


@dataclass(frozen=True)
class Compiled:
    """Numeric functions of one network, generated from its derivation.

    Signatures (``params`` in ``derivation.params`` order, ``x`` inputs, ``t`` targets):
      step_*(params, x, t, eta) -> (E, *params_after_update)
      gradient_*(params, x, t)  -> (E, *dE/dparams)
      forward_*(params, x, t)   -> (E, *outputs)
      evaluate(params, x, t, eta) -> one float per key of ``evaluate_keys``
      evaluate_numpy: the same on NumPy, lambdified on first use; it gives inf where a
        chain-rule factor divides by zero (∂E/∂out = -t/out at a saturated sigmoid), where
        ``evaluate`` raises ZeroDivisionError
    """

    derivation: Derivation
    step_math: Callable
    step_numpy: Callable
    gradient_numpy: Callable
    forward_math: Callable
    forward_numpy: Callable
    evaluate: Callable
    evaluate_keys: tuple
    evaluate_numpy: Callable


class _Lazy:
    """A numeric function lambdified on its first call: a network's first training pays only for
    the functions it uses (printing every derived expression once per function was most of a
    large net's compile time)."""

    def __init__(self, make: Callable):
        self._make, self._function = make, None

    @property
    def function(self) -> Callable:
        """The lambdified function itself (made now if it was not yet): loops call it directly."""
        if self._function is None:
            self._function = self._make()
        return self._function

    def __call__(self, *args):
        return self.function(*args)


def resolved(function: Callable) -> Callable:
    """The lambdified function behind a field of :class:`Compiled` (for a loop calling it often)."""
    return function.function if isinstance(function, _Lazy) else function


def math_namespace() -> dict:
    """The names a lambdified ``math`` function sees: the registry's twins, then the math module."""
    return dict(_function([], [], [], "math").__globals__)


def numpy_namespace() -> dict:
    """The names a lambdified ``numpy`` function sees: the registry's array twins, then NumPy."""
    return dict(_function([], [], [], "numpy").__globals__)


def _printer(backend):
    # lambdify's own printer settings, plus order="none": w - eta*g prints as two operations
    # instead of lambdify's -eta*g + w (three), which matters in the vectorised sweeps.
    printer = NumPyPrinter if backend == "numpy" else PythonCodePrinter
    names = {name: name for name in numeric_functions(backend)}
    return printer({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                    "user_functions": names, "order": "none"})


def _function(args, outputs, assignments, backend):
    # The registry's numeric twins first, so they take the place of SymPy's own names.
    modules = [numeric_functions(backend), backend]
    return sp.lambdify(args, outputs, modules=modules, printer=_printer(backend),
                       cse=_layered_cse(assignments), docstring_limit=0)


def compile_assignments(derivation: Derivation, assignments: list, outputs: list, backend: str = "math") -> Callable:
    """Lambdify ``outputs`` after ``assignments``, (symbol, expression) pairs in evaluation order.

    For a variant of a derivation: the same symbols, some expressions transformed (the
    common-mistakes gallery runs a mistake this way). The function takes ``(params, inputs,
    targets, eta)`` like :attr:`Compiled.evaluate`, parameters in ``derivation.params`` order, and
    returns one value per output; ``backend`` is ``"math"`` (Python floats) or ``"numpy"``.
    """
    if backend not in ("math", "numpy"):
        raise ValueError(f"backend: expected 'math' or 'numpy', got {backend!r}")
    S = symbol_for
    args = [[S(p) for p in derivation.params], [S(k) for k in derivation.input_keys],
            [S(k) for k in derivation.target_keys], S(LearningRate())]
    return _function(args, list(outputs), list(assignments), backend)


def compile_network(network: Network) -> Compiled:
    """Derive a network with SymPy; each numeric function the engine needs is lambdified on first use."""
    return _compile(network, registry.generation())


def clear_caches() -> None:
    """Forget every compiled network and derivation (benchmarks measure a fresh compile this way)."""
    _compile.cache_clear()
    symbolic.clear_caches()


# Cached per network and registry generation, like the derivation it compiles.
@lru_cache(maxsize=32)
def _compile(network: Network, generation: int) -> Compiled:
    d = derive(network)
    S = symbol_for
    params = [S(p) for p in d.params]
    inputs = [S(k) for k in d.input_keys]
    targets = [S(k) for k in d.target_keys]
    eta, E = S(LearningRate()), S(TotalError())
    everything = d.assignments()
    # The forward pass and the error are the assignments up to E; the rest is backward.
    n_forward = next(i for i, (symbol, _) in enumerate(everything) if symbol == E) + 1
    forward = everything[:n_forward]
    outputs = [S(Out(network.depth, j)) for j in range(network.layers[-1])]

    updated = [d.updates.get(p, S(p)) for p in d.params]
    gradients = [d.gradients[p].symbol for p in d.params]
    keys = (
        list(d.definitions)
        + list(d.factors)
        + [gradient(p) for p in d.params]
        + [Updated(p) for p in d.params]
    )
    values = (
        [S(k) for k in d.definitions]
        + [f.expr for f in d.factors.values()]
        + gradients
        + updated
    )
    # Factor expressions mention deltas by symbol; assign them all before reading any.
    def lazy(args, outputs, assignments, backend):
        return _Lazy(lambda: _function(args, outputs, assignments, backend))

    return Compiled(
        derivation=d,
        step_math=lazy([params, inputs, targets, eta], [E] + updated, everything, "math"),
        step_numpy=lazy([params, inputs, targets, eta], [E] + updated, everything, "numpy"),
        gradient_numpy=lazy([params, inputs, targets], [E] + gradients, everything, "numpy"),
        forward_math=lazy([params, inputs, targets], [E] + outputs, forward, "math"),
        forward_numpy=lazy([params, inputs, targets], [E] + outputs, forward, "numpy"),
        evaluate=lazy([params, inputs, targets, eta], values, everything, "math"),
        evaluate_keys=tuple(keys),
        evaluate_numpy=lazy([params, inputs, targets, eta], values, everything, "numpy"),
    )
