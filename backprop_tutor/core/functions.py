"""The activations and losses as SymPy expressions, each with a numerically stable twin.

SymPy sees ordinary functions it can differentiate; the numeric bridge maps the same names
to implementations that never overflow (sigmoid(-1000), softmax of large inputs) and never
take log(0). The textbook formula is what the LaTeX shows.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

__all__ = [
    "activation",
    "activation_derivative",
    "loss_terms",
    "MATH_FUNCTIONS",
    "NUMPY_FUNCTIONS",
]

# log is clamped here; its gradient never needs it because SymPy cancels 1/out against the
# sigmoid's out(1 - out) before anything is evaluated.
_TINY = 1e-300


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


def activation(name: str, nets: list, i: int) -> sp.Expr:
    """The output of neuron i of a layer with net inputs ``nets`` under activation ``name``."""
    x = nets[i]
    if name == "sigmoid":
        return sigmoid(x)
    if name == "tanh":
        return sp.tanh(x)
    if name == "relu":
        return relu(x)
    if name == "linear":
        return x
    if name == "softmax":
        return softmax(i, *nets)
    raise ValueError(f"activation: unknown {name!r}")


def activation_derivative(name: str, nets: list, outs: list, i: int, j: int) -> sp.Expr:
    """∂out_i/∂net_j derived by SymPy, written with the outputs where the textbook does."""
    derivative = sp.diff(activation(name, nets, i), nets[j])
    # out(1 - out) reads better than e^-net / (1 + e^-net)^2: name each output by its symbol.
    outputs = {activation(name, nets, k): outs[k] for k in range(len(nets))}
    return derivative.xreplace(outputs)


def loss_terms(name: str, outs: list, targets: list) -> list:
    """The per-output terms E_o1, E_o2, ... whose sum is the loss ``name``."""
    n = len(outs)
    half = sp.Rational(1, 2)
    terms = []
    for a, t in zip(outs, targets):
        if name == "half_sse":
            terms.append(half * (t - a) ** 2)
        elif name == "sse":
            terms.append((t - a) ** 2)
        elif name == "mse":
            terms.append(sp.Rational(1, n) * (t - a) ** 2)
        elif name == "bce":
            terms.append(-(t * clog(a) + (1 - t) * clog(1 - a)))
        elif name == "ce":
            terms.append(-t * clog(a))
        else:
            raise ValueError(f"loss: unknown {name!r}")
    return terms


# --- numeric twins -------------------------------------------------------------------------

def _math_sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0: e^x cannot overflow, e^-x could
    return e / (1.0 + e)


def _math_softmax(i, *xs):
    top = max(xs)
    exps = [math.exp(x - top) for x in xs]
    return exps[int(i)] / math.fsum(exps)


def _math_clog(x):
    return math.log(max(x, _TINY))


def _np_sigmoid(x):
    # 1 / (1 + e^-x) with e^-x capped below overflow (e^708): full relative precision where
    # the output is tiny, in five array operations (this runs in every vectorised sweep step).
    # Below x = -708 it gives 3e-308 (under clog's clamp) instead of 0. (1 + tanh(x/2)) / 2
    # rounds to exactly 0 below x ≈ -37, where bce's log then reads 690 instead of ≈ -x.
    return 1.0 / (1.0 + np.exp(np.minimum(-x, 708.0)))


def _np_softmax(i, *xs):
    top = np.maximum.reduce(np.broadcast_arrays(*xs))
    exps = [np.exp(x - top) for x in xs]
    return exps[int(i)] / sum(exps)


def _np_clog(x):
    return np.log(np.maximum(x, _TINY))


MATH_FUNCTIONS = {
    "sigmoid": _math_sigmoid,
    "relu": lambda x: x if x > 0 else 0.0,
    "step": lambda x: 1.0 if x > 0 else 0.0,
    "softmax": _math_softmax,
    "clog": _math_clog,
    "KroneckerDelta": lambda i, j: 1.0 if i == j else 0.0,
}

NUMPY_FUNCTIONS = {
    "sigmoid": _np_sigmoid,
    "relu": lambda x: np.maximum(x, 0.0),
    "step": lambda x: np.where(x > 0, 1.0, 0.0),
    "softmax": _np_softmax,
    "clog": _np_clog,
    "KroneckerDelta": lambda i, j: 1.0 if i == j else 0.0,
}
