"""The whole online training loop of one network on one sample, generated as one Python function.

The engine's reference loop calls the lambdified step function once per epoch: packing and
unpacking the parameters, a call per sigmoid and a NumPy store cost more than the arithmetic on a
small net. Here the same derived assignments (``derive().assignments()``, printed by the bridge's
printer) become the body of an epoch loop with the parameters as local variables, each
``out = sigmoid(net)`` written inline as the registry's own twin computes it, and divergence
tested as ``E < inf`` (false for inf and nan). The numbers are the same floating-point operations
in the same order as :attr:`Compiled.step_math`, so they are the same to the last bit.
"""

from __future__ import annotations

import re
import types
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

import sympy as sp

from . import registry
from .bridge import _printer, compile_network, math_namespace
from .quantities import LearningRate, TotalError
from .spec import Network
from .symbolic import symbol_for

__all__ = ["function_from_source", "loop_source", "training_loop"]

# Twins written inline, in exactly the operations of the registry's own function (checked by
# identity below, so a re-registered activation with another twin is called, never inlined).
_INLINE = {
    "sigmoid": ("if {x} >= 0:\n    {y} = 1.0 / (1.0 + exp(-{x}))\nelse:\n    _e = exp({x})\n    {y} = _e / (1.0 + _e)"),
    "relu": "{y} = {x} if {x} > 0 else 0.0",
}
_INLINE_TWINS = {"sigmoid": registry._math_sigmoid, "relu": registry.ACTIVATIONS["relu"].numeric["relu"][0]}


def _inline(symbol, expr, namespace) -> str | None:
    """The inline code of ``symbol = f(x)`` for a twin written out here, else None."""
    if not (isinstance(expr, sp.Function) and len(expr.args) == 1 and expr.args[0].is_Symbol):
        return None
    name = type(expr).__name__
    if name not in _INLINE or namespace.get(name) is not _INLINE_TWINS[name]:
        return None
    return _INLINE[name].format(x=expr.args[0].name, y=symbol.name)


class _FloatPrinter:
    """The bridge's printer, with integers written as floats: ``1.0 - a`` skips int-to-float dispatch.

    The value is the same (every integer the derivation writes is exact as a float)."""

    def __init__(self, printer):
        self._printer = printer
        printer._print_Integer = lambda expr: f"{int(expr)}.0"
        # An index into softmax's arguments or a Kronecker delta stays an integer.
        printer._print_softmax = lambda expr: self._call(expr, keep_first=True)

    def _call(self, expr, keep_first=False):
        args = [str(int(a)) if keep_first and i == 0 else self._printer.doprint(a) for i, a in enumerate(expr.args)]
        return f"{type(expr).__name__}({', '.join(args)})"

    def doprint(self, expr) -> str:
        return self._printer.doprint(expr)


def _substitute_single_uses(statements: list, params: set) -> list:
    """The statements as code, each value read once written into its reader in parentheses.

    A local store and load cost about as much as an addition here. The parentheses keep every
    operation and its order, so the numbers are unchanged. A value is never moved past an update
    of a parameter it reads (the updates run in order, each on its old value).
    """
    words = re.compile(r"\b[A-Za-z_]\w*\b")
    tokens = [Counter(words.findall(code)) for _, code, _ in statements]
    reads: dict = {}   # name -> {statement index: how often it reads the name}
    for j, counts in enumerate(tokens):
        for word, count in counts.items():
            reads.setdefault(word, {})[j] = count
    for i, (name, code, among_updates) in enumerate(statements):
        if name is None or among_updates:   # an update is read by the next epoch, not here
            continue
        readers = {j: count for j, count in reads.get(name, {}).items() if j > i}
        if len(readers) != 1 or next(iter(readers.values())) != 1:
            continue
        j = next(iter(readers))
        if statements[j][2] and params & tokens[i].keys():
            continue
        statements[j][1] = re.sub(rf"\b{name}\b", lambda _, code=code: f"({code})", statements[j][1], count=1)
        statements[i][1] = None
        # The reader now reads what the moved value read.
        del reads[name][j]
        del tokens[j][name]   # read once, now written out
        for word, count in tokens[i].items():
            del reads[word][i]
            reads[word][j] = reads[word].get(j, 0) + count
        tokens[j].update(tokens[i])
    return [code if name is None else f"{name} = {code}" for name, code, _ in statements if code is not None]


def loop_source(network: Network, namespace: dict, mask: tuple | None = None, record: bool = False) -> str:
    """The Python source of the generated loop (``namespace``: :func:`bridge.math_namespace`).

    ``mask``: which parameters train (the others keep their values, as ``train(only=...)``);
    ``record``: append each epoch's starting parameters to ``_trace`` (an ``array('d')``).
    """
    d = compile_network(network).derivation
    S = symbol_for
    printer = _FloatPrinter(_printer("math"))
    params = [S(p).name for p in d.params]
    E = S(TotalError())
    trained = [p for i, p in enumerate(d.params) if p in d.updates and (mask is None or mask[i])]
    # Only what the loss and the trained parameters' updates read is computed (a frozen
    # parameter's gradient, and the deltas only it needs, are not).
    needed = {E} | {d.gradients[p].symbol for p in trained}
    kept = []
    for symbol, expr in reversed(d.assignments()):
        if symbol in needed:
            kept.append((symbol, expr))
            needed |= expr.free_symbols
    # Statements: [name assigned or None, code, whether it runs among the updates].
    statements = []
    for symbol, expr in reversed(kept):
        inline = _inline(symbol, expr, namespace)
        statements.append([None, inline, False] if inline else [symbol.name, printer.doprint(expr), False])
    check = f"if not {E.name} < inf:\n    return _epoch, None\n_push({E.name})"
    statements.append([None, check + (f"\n_note(({', '.join(params)},))" if record else ""), False])
    statements += [[S(p).name, printer.doprint(d.updates[p]), True] for p in trained]
    body = []
    for line in _substitute_single_uses(statements, set(params)):
        body += line.split("\n")
    # The arguments start with "_": no symbol name does (symbol_for names start with a letter).
    lines = [f"[{', '.join(params)}] = _params",
             f"[{', '.join(S(k).name for k in d.input_keys)}] = _x",
             f"[{', '.join(S(k).name for k in d.target_keys)}] = _t",
             f"{S(LearningRate()).name} = _eta",
             "_push = _history.append"]
    lines += ["_note = _trace.extend"] if record else []
    lines += [
             "for _epoch in range(_start, _stop):"]
    lines += ["    " + line for line in body]
    lines.append(f"return _stop, ({', '.join(params)},)")
    code = "\n".join("    " + line for line in lines)
    # Functions and constants the body reads become default arguments: local, not global, lookups.
    assigned = {symbol.name for symbol, _ in d.assignments()} | {S(k).name for k in d.input_keys + d.target_keys}
    read = set(re.findall(r"\b([A-Za-z_]\w*)\b", code)) - assigned - set(params) - {S(LearningRate()).name}
    defaults = "".join(f", {name}=None" for name in _defaults(read, namespace))
    return f"def train_loop(_params, _x, _t, _eta, _start, _stop, _history, _trace=None{defaults}):\n{code}\n"


def _defaults(read: set, namespace: dict) -> list:
    """The namespace's names the loop reads, in the order of its default arguments."""
    return [name for name in sorted(read | {"inf"}) if name in namespace]


def training_loop(network: Network, mask: tuple | None = None, record: bool = False) -> Callable:
    """``train_loop(params, x, t, eta, start, stop, history, trace)``: epochs start..stop-1 on one sample.

    Appends the loss before each epoch's update to the list ``history`` (and, with ``record``, the
    parameters it started from to the ``array('d')`` ``trace``) and returns ``(stop, parameters)``,
    or ``(epoch, None)`` at the first epoch whose loss is inf or nan. Float errors (an overflowing
    ``**``) propagate, as from the step function. ``mask``: see :func:`loop_source`.
    """
    return _loop(network, registry.generation(), None if mask is None else tuple(bool(m) for m in mask), record)


@lru_cache(maxsize=32)
def _loop(network: Network, generation: int, mask: tuple | None, record: bool) -> Callable:
    namespace = math_namespace()
    namespace.setdefault("inf", float("inf"))
    source = loop_source(network, namespace, mask, record)
    return function_from_source(source, f"<training loop of {network!r}>", namespace, "_trace", (None,))


def function_from_source(source: str, filename: str, namespace: dict, last_argument: str, defaults: tuple = ()):
    """The one function ``source`` defines, with ``namespace`` as its globals (the package's one ``compile``).

    ``source`` must be printed from a derivation alone (identifiers from quantity keys, numbers,
    the registry's function names), as lambdify prints its own: no text from a user reaches it.
    The arguments after ``last_argument`` are bound to the namespace's objects of their names
    (fast locals instead of global lookups); ``defaults`` are the values of the ones up to it.
    """
    module = compile(source, filename, "exec")
    code = next(const for const in module.co_consts if isinstance(const, types.CodeType))
    arguments = code.co_varnames[: code.co_argcount]
    bound = arguments[arguments.index(last_argument) + 1:]
    return types.FunctionType(code, namespace, code.co_name, (*defaults, *[namespace[name] for name in bound]))
