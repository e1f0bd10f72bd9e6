"""Each layer's derived formulas as one form shared by all its neurons, when the derivation says so.

The derivation writes a formula per neuron (``a_1_0 = sigmoid(z_1_0)``, ``a_1_1 = sigmoid(z_1_1)``).
Matrix-level code needs one formula per layer: each neuron's expression with its own symbols
replaced by placeholders (its net input by ``NET``, its output by ``OUT``, ...). A layer has a form
only when every neuron's expression gives the same one, and the sums that matrix products replace
(net inputs, the back-propagated sums, the gradients) are checked to be exactly the derived ones.
Anything else (softmax's coupled outputs, a one-neuron layer whose sum SymPy folds into a product)
gives None, and the callers keep their per-neuron code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sympy as sp

from .quantities import ErrorTerm, Net, Out, Partial, Target, TotalError, Weight
from .symbolic import Derivation, symbol_for

__all__ = ["BACK", "GRAD", "NET", "OUT", "PARAM", "TARGET", "LayerForm", "LayerForms", "layer_forms"]

# Placeholders: a neuron's net input, output, target, back-propagated sum Σ δ·w, and a parameter
# with its gradient. Their names have no "_" (every symbol_for name has one), so they never clash.
NET, OUT, TARGET, BACK, PARAM, GRAD = (sp.Symbol(name, real=True) for name in ("NET", "OUT", "TARGET", "BACK",
                                                                               "PARAM", "GRAD"))


@dataclass(frozen=True)
class LayerForm:
    """Layer ``layer``'s forms: ``activation`` of NET; ``delta`` of OUT, NET and TARGET (output
    layer) or BACK (hidden layers); ``bias`` "shared", "per_neuron" or "none"; ``bias_trained``."""

    layer: int
    size: int
    fan_in: int
    bias: str
    bias_trained: bool
    activation: sp.Expr
    delta: sp.Expr


@dataclass(frozen=True)
class LayerForms:
    """Every layer's forms, the per-output error term (of OUT, TARGET) and the update (of PARAM, GRAD, η)."""

    layers: tuple
    error: sp.Expr
    update: sp.Expr


def _sum_of(expr: sp.Expr, terms: list) -> bool:
    """Whether ``expr`` is the sum of ``terms`` (each a symbol or a tuple of symbols multiplied), in any order.

    Read off the expression's own arguments: building each sum to compare with cost a large net
    most of its time here."""
    parts = expr.args if expr.is_Add else (expr,)
    got = Counter(frozenset(part.args) if part.is_Mul else frozenset((part,)) for part in parts)
    want = Counter(frozenset(term) if isinstance(term, tuple) else frozenset((term,)) for term in terms)
    # A product's arguments are its factors only when none repeats (w·w would be a power).
    return got == want and all(not part.is_Mul or len(part.args) == 2 for part in parts)


def _same(forms: list, allowed: set):
    """The one form every neuron gave, if it reads only the placeholders ``allowed``; else None."""
    first = forms[0]
    if any(form != first for form in forms[1:]) or not first.free_symbols <= allowed:
        return None
    return first


def _layer(d: Derivation, l: int) -> LayerForm | None:
    S, net = symbol_for, d.network
    size, fan_in, L = net.layers[l], net.layers[l - 1], net.depth
    bias_keys = [net.parameters.bias_key(l, j) for j in range(size)]
    deltas = [d.delta(l, j).symbol for j in range(size)]
    below = [S(Out(l - 1, k)) for k in range(fan_in)]
    for j in range(size):
        # The net input is W a + b, term for term.
        terms = [(S(Weight(l, j, k)), below[k]) for k in range(fan_in)] + ([S(bias_keys[j])] if bias_keys[j] else [])
        if not _sum_of(d.definitions[Net(l, j)], terms):
            return None
        # ∂E/∂w_jk = δ_j a_k, and a bias's gradient is its neuron's δ (a shared one: their sum).
        if not all(_sum_of(d.gradients[Weight(l, j, k)].expr, [(deltas[j], below[k])]) for k in range(fan_in)):
            return None
    if net.bias == "per_neuron" and any(d.gradients[b].expr != deltas[j] for j, b in enumerate(bias_keys)):
        return None
    if net.bias == "shared" and not _sum_of(d.gradients[bias_keys[0]].expr, deltas):
        return None
    own = [{S(Net(l, j)): NET, S(Out(l, j)): OUT} for j in range(size)]
    activation = _same([d.definitions[Out(l, j)].xreplace({S(Net(l, j)): NET}) for j in range(size)], {NET})
    if l == L:
        delta = _same([d.delta(l, j).expr.xreplace({**own[j], S(Target(j)): TARGET}) for j in range(size)],
                      {NET, OUT, TARGET})
    else:
        forms = []
        for j in range(size):
            # The sum the derivation back-propagates, Σ_i δ_i w_ij: Wᵀδ in matrix code.
            back = d.factors[Partial(TotalError(), Out(l, j))].expr
            above = range(net.layers[l + 1])
            if not _sum_of(back, [(d.delta(l + 1, i).symbol, S(Weight(l + 1, i, j))) for i in above]):
                return None
            delta = d.delta(l, j).expr.xreplace({back: BACK})
            if back.is_Mul and BACK not in delta.free_symbols:
                # One neuron downstream: the sum is one product, which SymPy merged into δ's product.
                delta = d.delta(l, j).expr.subs(back, BACK)
            forms.append(delta.xreplace(own[j]))
        delta = _same(forms, {NET, OUT, BACK})
    if activation is None or delta is None:
        return None
    trained = bool(bias_keys[0]) and bias_keys[0] in d.updates
    return LayerForm(l, size, fan_in, net.bias, trained, activation, delta)


def layer_forms(d: Derivation) -> LayerForms | None:
    """The derivation's forms per layer, or None when some layer's neurons do not share one."""
    S, net = symbol_for, d.network
    L, n = net.depth, net.layers[-1]
    if d.definitions[TotalError()] != sp.Add(*[S(ErrorTerm(j)) for j in range(n)]):
        return None
    error = _same([d.definitions[ErrorTerm(j)].xreplace({S(Out(L, j)): OUT, S(Target(j)): TARGET})
                   for j in range(n)], {OUT, TARGET})
    eta = {s for u in d.updates.values() for s in u.free_symbols} - {S(p) for p in d.params} - {
        g.symbol for g in d.gradients.values()}
    update = _same([u.xreplace({S(p): PARAM, d.gradients[p].symbol: GRAD}) for p, u in d.updates.items()],
                   {PARAM, GRAD} | eta)
    # Every weight trains (only biases may be frozen, by train_bias).
    if error is None or update is None or any(isinstance(p, Weight) and p not in d.updates for p in d.params):
        return None
    layers = []
    for l in range(1, L + 1):
        form = _layer(d, l)
        if form is None:
            return None
        layers.append(form)
    return LayerForms(tuple(layers), error, update)
