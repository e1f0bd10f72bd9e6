"""One entry per activation and per loss: everything the package knows about it, in one place.

An :class:`Activation` holds its SymPy form (the derivation differentiates it; a custom SymPy
function carries its own derivative rule in ``fdiff``), the numeric twins of any custom function
it introduces (``math`` for Python floats, ``numpy`` for arrays: numerically stable, never
overflowing), the sentences the walkthrough says about it, and whether it couples a layer's
neurons (softmax). A :class:`Loss` holds its per-output term, written in the textbook's order
(the walkthrough prints exactly this; the derivation evaluates it), its sentence, and which
output activations and targets it pairs with.

Adding an activation or a loss is one :func:`register_activation` or :func:`register_loss`
call here, or in a user's code: the spec, the derivation, the bridge and the walkthrough all ask
this registry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "Activation",
    "Loss",
    "activation",
    "evaluated",
    "generation",
    "loss",
    "numeric_functions",
    "register_activation",
    "register_loss",
    "unregister",
]

# log is clamped here; its gradient never needs it because SymPy cancels 1/out against the
# sigmoid's out(1 - out) before anything is evaluated.
_TINY = 1e-300


# --- SymPy functions with their derivative rules and textbook LaTeX --------------------------

class sigmoid(sp.Function):
    """The logistic function 1 / (1 + e^(-x))."""

    nargs = 1

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def _latex(self, printer):
        x = self.args[0]
        inner = printer._print(x) if x.is_Atom else r"\left(%s\right)" % printer._print(x)
        return r"\frac{1}{1 + e^{-%s}}" % inner


class relu(sp.Function):
    """max(0, x)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return step(self.args[0])

    def _latex(self, printer):
        return r"\max\left(0, %s\right)" % printer._print(self.args[0])


class step(sp.Function):
    """1 for x > 0, else 0 (ReLU's derivative, taking 0 at x = 0)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return sp.S.Zero

    def _latex(self, printer):
        return r"\left[%s > 0\right]" % printer._print(self.args[0])


class softmax(sp.Function):
    """softmax(i, x_1, ..., x_n) = e^(x_i) / sum_k e^(x_k); i is 0-based."""

    def fdiff(self, argindex=1):
        i, xs = self.args[0], self.args[1:]
        if argindex == 1:
            return sp.S.Zero
        j = argindex - 2
        return softmax(i, *xs) * (sp.KroneckerDelta(i, j) - softmax(j, *xs))

    def _eval_rewrite_as_exp(self, i, *xs, **kwargs):
        return sp.exp(xs[int(i)]) / sp.Add(*[sp.exp(x) for x in xs])

    def _latex(self, printer):
        i, xs = int(self.args[0]), self.args[1:]
        denominator = " + ".join("e^{%s}" % printer._print(x) for x in xs)
        return r"\frac{e^{%s}}{%s}" % (printer._print(xs[i]), denominator)


class clog(sp.Function):
    """Natural log, clamped away from 0 when evaluated numerically."""

    nargs = 1

    def fdiff(self, argindex=1):
        return 1 / self.args[0]

    def _latex(self, printer):
        return r"\ln\left(%s\right)" % printer._print(self.args[0])


# --- numeric twins ---------------------------------------------------------------------------

def _math_sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0: e^x cannot overflow, e^-x could
    return e / (1.0 + e)


# 0-d arrays: NumPy reads them faster than Python floats.
_ONE, _CAP = np.array(1.0), np.array(708.0)


def _np_sigmoid(x, out=None):
    # 1 / (1 + e^-x) with e^-x capped below overflow (e^708): full relative precision where
    # the output is tiny, in five array operations (this runs in every vectorised sweep step).
    # Below x = -708 it gives 3e-308 (under clog's clamp) instead of 0. (1 + tanh(x/2)) / 2
    # rounds to exactly 0 below x ≈ -37, where bce's log then reads 690 instead of ≈ -x.
    if out is None:
        return _ONE / (_ONE + np.exp(np.minimum(-x, _CAP)))
    # The same five operations written into ``out`` (the layer-stacked sweep's buffers).
    np.negative(x, out)
    np.minimum(out, _CAP, out=out)   # (NumPy reads a third positional argument of minimum differently)
    np.exp(out, out)
    np.add(_ONE, out, out)
    return np.divide(_ONE, out, out)


def _math_softmax(i, *xs):
    top = max(xs)
    exps = [math.exp(x - top) for x in xs]
    return exps[int(i)] / math.fsum(exps)


def _np_softmax(i, *xs):
    top = np.maximum.reduce(np.broadcast_arrays(*xs))
    exps = [np.exp(x - top) for x in xs]
    return exps[int(i)] / sum(exps)


def _kronecker(i, j):
    return 1.0 if i == j else 0.0


_CLOG = {"clog": (lambda x: math.log(max(x, _TINY)), lambda x: np.log(np.maximum(x, _TINY)))}


# --- entries ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Activation:
    """An activation function: its SymPy form, numeric twins, sentences and pairing rules.

    ``output(nets, i)`` is neuron i's output given its layer's net-input symbols ``nets``.
    ``numeric`` maps the name of each custom SymPy function ``output`` uses (and its derivative
    uses) to its (math, numpy) twins. ``coupled`` is true when a neuron's output depends on the
    other net inputs of its layer (softmax); such an activation is only allowed on the output layer.
    ``bounded`` is true when every finite or infinite net input gives an output in [-1, 1] (the
    layer-stacked sweep then skips the loss where it cannot overflow).
    """

    name: str
    output: Callable[[list, int], sp.Expr]
    why: str
    slope_why: str
    numeric: dict = field(default_factory=dict)
    coupled: bool = False
    bounded: bool = False

    def derivative(self, nets: list, outs: list, i: int, j: int) -> sp.Expr:
        """∂out_i/∂net_j derived by SymPy, written with the outputs where the textbook does."""
        derivative = sp.diff(self.output(nets, i), nets[j])
        # out(1 - out) reads better than e^-net / (1 + e^-net)^2: name each output by its symbol.
        outputs = {self.output(nets, k): outs[k] for k in range(len(nets))}
        return derivative.xreplace(outputs)


@dataclass(frozen=True)
class Loss:
    """A loss: the per-output term E_o = term(out, target, n_outputs), its sentence, its pairings.

    ``term`` builds the expression unevaluated, in the order a textbook writes it (target
    first): the walkthrough prints it as built and the derivation uses :func:`evaluated` of it.
    ``outputs`` names the output activations it allows (None: any); ``unit_targets`` asks for
    targets in [0, 1].
    """

    name: str
    term: Callable[[sp.Expr, sp.Expr, int], sp.Expr]
    why: str
    outputs: tuple | None = None
    unit_targets: bool = False
    numeric: dict = field(default_factory=dict)


ACTIVATIONS: dict[str, Activation] = {}
LOSSES: dict[str, Loss] = {}
_BUILT_IN: set = set()
# Bumped on every change, so caches of derivations (keyed by names) know an entry changed.
_generation = 0


def generation() -> int:
    """A number that changes whenever an activation or loss is registered or removed."""
    return _generation


def register_activation(entry: Activation) -> Activation:
    """Make an activation available everywhere by its name (a name already taken is refused)."""
    return _register(ACTIVATIONS, entry, "activation")


def register_loss(entry: Loss) -> Loss:
    """Make a loss available everywhere by its name (a name already taken is refused)."""
    return _register(LOSSES, entry, "loss")


def _register(table: dict, entry, what: str):
    if not isinstance(entry.name, str) or not entry.name.isidentifier():
        raise ValueError(f"{what}: a name must be an identifier, got {entry.name!r}")
    if entry.name in table:
        raise ValueError(f"{what}: {entry.name!r} is registered already")
    global _generation
    table[entry.name] = entry
    _generation += 1
    return entry


def unregister(name: str) -> None:
    """Remove an activation or loss registered by the user (the built-in ones stay)."""
    if name in _BUILT_IN:
        raise ValueError(f"{name!r} is built in and cannot be removed")
    global _generation
    ACTIVATIONS.pop(name, None)
    LOSSES.pop(name, None)
    _generation += 1


def activation(name: str) -> Activation:
    """The registered activation called ``name``."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"activation: unknown {name!r}") from None


def loss(name: str) -> Loss:
    """The registered loss called ``name``."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"loss: unknown {name!r}") from None


def numeric_functions(backend: str) -> dict:
    """Name -> numeric twin of every custom SymPy function, for ``math`` or ``numpy``."""
    which = {"math": 0, "numpy": 1}[backend]
    functions = {}
    for entry in list(ACTIVATIONS.values()) + list(LOSSES.values()):
        functions.update({name: twins[which] for name, twins in entry.numeric.items()})
    return functions


def evaluated(expr: sp.Expr) -> sp.Expr:
    """An expression built unevaluated (for display), rebuilt with SymPy's usual simplifications."""
    if not expr.args:
        return expr
    return expr.func(*[evaluated(arg) for arg in expr.args])


def _minus(a, b):
    """a - b, printed in that order."""
    return sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False)


def _times(*factors):
    return sp.Mul(*factors, evaluate=False)


_SQUARED = lambda a, t: sp.Pow(_minus(t, a), 2, evaluate=False)  # noqa: E731  (t - out)², target first

for _entry in (
    Activation("sigmoid", lambda nets, i: sigmoid(nets[i]),
               "The logistic function squashes the net input into (0, 1).",
               "The logistic function's slope is its output times one minus its output.",
               numeric={"sigmoid": (_math_sigmoid, _np_sigmoid)}, bounded=True),
    Activation("tanh", lambda nets, i: sp.tanh(nets[i]),
               "tanh squashes the net input into (-1, 1).",
               "tanh's slope is one minus its output squared.", bounded=True),
    Activation("relu", lambda nets, i: relu(nets[i]),
               "ReLU passes a positive net input and blocks a negative one.",
               "ReLU's slope is 1 where the net input is positive, else 0.",
               numeric={"relu": (lambda x: x if x > 0 else 0.0, lambda x: np.maximum(x, 0.0)),
                        "step": (lambda x: 1.0 if x > 0 else 0.0, lambda x: np.where(x > 0, 1.0, 0.0))}),
    Activation("linear", lambda nets, i: nets[i],
               "A linear neuron outputs its net input unchanged.",
               "A linear neuron's slope is 1."),
    Activation("softmax", lambda nets, i: softmax(i, *nets),
               "Softmax turns the output layer's net inputs into probabilities that sum to 1.",
               "Softmax couples the outputs: each one's slope depends on every net input of the layer.",
               numeric={"softmax": (_math_softmax, _np_softmax), "KroneckerDelta": (_kronecker, _kronecker)},
               coupled=True),
):
    register_activation(_entry)

for _entry in (
    Loss("half_sse", lambda a, t, n: _times(sp.Rational(1, 2), _SQUARED(a, t)),
         "Half the squared difference between target and output."),
    Loss("sse", lambda a, t, n: _SQUARED(a, t),
         "The squared difference between target and output."),
    # With one output the mean is the square itself: no "1·" in front of it.
    Loss("mse", lambda a, t, n: _times(sp.Rational(1, n), _SQUARED(a, t)) if n > 1 else _SQUARED(a, t),
         "The squared difference, averaged over the output neurons."),
    # bce treats each output as its own yes/no probability (sigmoid); softmax outputs share one
    # distribution, which is what ce is for (bce on softmax would also leave an uncancelled 1/(1 - out)).
    Loss("bce", lambda a, t, n: sp.Mul(-1, sp.Add(_times(t, clog(a)), _times(_minus(1, t), clog(_minus(1, a))),
                                                  evaluate=False), evaluate=False),
         "Binary cross-entropy of the output against its target.",
         outputs=("sigmoid",), unit_targets=True, numeric=_CLOG),
    Loss("ce", lambda a, t, n: sp.Mul(-1, t, clog(a), evaluate=False),
         "Cross-entropy: minus the target times the log of the output.",
         outputs=("sigmoid", "softmax"), unit_targets=True, numeric=_CLOG),
):
    register_loss(_entry)

_BUILT_IN.update(ACTIVATIONS, LOSSES)
