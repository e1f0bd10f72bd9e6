"""How each mistake changes the derivation: the rules that re-assemble the backward pass, and each mistake's forms.

The backward pass is re-assembled from the derivation's chain-rule factors
(:class:`~backprop_tutor.core.symbolic.Factor`) by five rules,

    ∂E/∂out  of an output neuron     the loss's factor
    ∂E/∂out  of a hidden neuron      Σ_i δ_i · ∂net_i/∂out      (i: the neurons of the next layer)
    δ = ∂E/∂net                      Σ ∂E/∂out · ∂out/∂net
    ∂E/∂param                        Σ_j δ_j · ∂net_j/∂param     (j: the neurons the parameter feeds)
    param⁺                           param − η · ∂E/∂param

and a mistake changes one of them: a factor's expression (∂out/∂net replaced by 1, or written
with net instead of out), which terms a sum keeps, or the update. With no change the rules give
back exactly the derivation's expressions (a test checks this on every preset). :data:`FORMS`
lists, per mistake, the changed rules of each of its forms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ...core.quantities import Bias, LearningRate, Net, Out, Partial, TotalError, Weight
from ...core.spec import Network
from ...core.symbolic import Derivation, Factor, symbol_for

__all__ = ["FORMS", "Rules", "assemble", "has_hidden"]


@dataclass(frozen=True)
class Rules:
    """How a variant assembles the backward pass; None keeps the derivation's own rule.

    Each callable takes the derivation and a Factor: the expression callables return the
    factor's expression in the variant, the term callables the (factor, factor) terms it keeps.
    """

    output_dE_dout: Callable | None = None   # ∂E/∂out of an output neuron
    hidden_terms: Callable | None = None     # terms kept of a hidden neuron's ∂E/∂out
    dnet_dout: Callable | None = None        # ∂net_next/∂out (a weight) inside a hidden ∂E/∂out
    dout_dnet: Callable | None = None        # ∂out/∂net, the activation's slope
    dnet_dparam: Callable | None = None      # ∂net/∂param, the local factor of a gradient
    gradient_terms: Callable | None = None   # terms kept of a gradient
    update: Callable | None = None           # (derivation, param) -> param⁺


def _expr(rule, d: Derivation, factor: Factor) -> sp.Expr:
    return factor.expr if rule is None else rule(d, factor)


def _terms(rule, d: Derivation, factor: Factor) -> tuple:
    return factor.terms if rule is None else rule(d, factor)


def _simplest(expr: sp.Expr) -> sp.Expr:
    # As the derivation does: cancel a quotient (BCE's 1/out against out(1 - out)), leave products alone.
    if not any(power.exp.is_negative for power in expr.atoms(sp.Pow)):
        return expr
    return sp.factor(sp.cancel(expr))


def assemble(d: Derivation, rules: Rules) -> tuple[tuple, dict]:
    """(assignments, updates) of the backward pass built by ``rules`` (the forward pass is the derivation's)."""
    net, E, S = d.network, TotalError(), symbol_for
    everything = d.assignments()
    n_forward = next(i for i, (symbol, _) in enumerate(everything) if symbol == S(E)) + 1
    pairs = list(everything[:n_forward])
    for l in range(net.depth, 0, -1):
        dE_dout = {}
        for j in range(net.layers[l]):
            factor = d.factors[Partial(E, Out(l, j))]
            if l == net.depth:
                dE_dout[j] = _expr(rules.output_dE_dout, d, factor)
            else:
                terms = _terms(rules.hidden_terms, d, factor)
                dE_dout[j] = sp.Add(*[down.symbol * _expr(rules.dnet_dout, d, local) for down, local in terms])
        for j in range(net.layers[l]):
            delta = d.delta(l, j)
            products = [dE_dout[f_out.wrt.neuron] * _expr(rules.dout_dnet, d, f_slope)
                        for f_out, f_slope in delta.terms]
            pairs.append((delta.symbol, _simplest(sp.Add(*products))))
    for p in d.params:
        g = d.gradients[p]
        terms = _terms(rules.gradient_terms, d, g)
        pairs.append((g.symbol, sp.Add(*[delta.symbol * _expr(rules.dnet_dparam, d, local) for delta, local in terms])))
    updates = {p: (d.updates[p] if rules.update is None else rules.update(d, p)) for p in d.updates}
    return tuple(pairs), updates


def has_hidden(network: Network) -> bool:
    """Whether the network has a hidden layer (some mistakes need one)."""
    return network.depth > 1


# --- the activation's slope, ∂out/∂net ---------------------------------------------------------

def _slope_one(d: Derivation, factor: Factor) -> sp.Expr:
    # ∂out_i/∂net_j without the slope: 1 for the neuron's own output, 0 across a softmax layer.
    return sp.Integer(1 if factor.of.neuron == factor.wrt.neuron else 0)


def _slope_of_net(d: Derivation, factor: Factor) -> sp.Expr:
    l = factor.of.layer
    return factor.expr.xreplace({symbol_for(Out(l, k)): symbol_for(Net(l, k)) for k in range(d.network.layers[l])})


# Where a slope mistake is made: (label, whether layer l of a network of this depth has it, when the form exists).
_SLOPE_SCOPES = (
    ("in every layer", lambda l, depth: True, None),
    ("in the output layer only", lambda l, depth: l == depth, has_hidden),
    ("in the hidden layers only", lambda l, depth: l < depth, has_hidden),
)


def _slope_forms(transform: Callable) -> tuple:
    """A slope mistake's three forms: ``transform`` of ∂out/∂net in every layer, the output layer, the hidden ones."""
    def scoped(in_scope: Callable) -> Callable:
        def rule(d: Derivation, factor: Factor) -> sp.Expr:
            return transform(d, factor) if in_scope(factor.of.layer, d.network.depth) else factor.expr
        return rule
    return tuple((label, Rules(dout_dnet=scoped(in_scope)), exists) for label, in_scope, exists in _SLOPE_SCOPES)


# --- sums that keep one term -------------------------------------------------------------------

def _one_term(pick: Callable, applies: Callable = lambda factor: True) -> Callable:
    """A terms rule: of each sum ``applies`` to, keep only the term at index ``pick(factor)``."""
    def rule(d: Derivation, factor: Factor) -> tuple:
        return (factor.terms[pick(factor)],) if applies(factor) else factor.terms
    return rule


def _same_number(factor: Factor) -> int:
    # factor is ∂E/∂out_j of a hidden neuron j; its terms run over the next layer's neurons i.
    return min(factor.wrt.neuron, len(factor.terms) - 1)


def _shared_bias(g: Factor) -> bool:
    param = g.key.wrt
    return isinstance(param, Bias) and param.shared


# --- the other single changes ------------------------------------------------------------------

def _negated(d: Derivation, factor: Factor) -> sp.Expr:
    return -factor.expr


def _plus_eta(d: Derivation, p) -> sp.Expr:
    return symbol_for(p) + symbol_for(LearningRate()) * d.gradients[p].symbol


def _without_eta(d: Derivation, p) -> sp.Expr:
    return symbol_for(p) - d.gradients[p].symbol


def _updated_weight(d: Derivation, factor: Factor) -> sp.Expr:
    # factor is ∂net_i/∂out_j = w: the weight becomes its update w - η·∂E/∂w, with the gradient's
    # expression written out (it is assigned only after every delta).
    weight = Weight(factor.of.layer, factor.of.neuron, factor.wrt.neuron)
    g = d.gradients[weight]
    updated = d.updates[weight].xreplace({g.symbol: g.expr})
    return factor.expr.xreplace({symbol_for(weight): updated})


def _own_output(d: Derivation, factor: Factor) -> sp.Expr:
    # factor is ∂net_j/∂param of neuron j in layer l; for a weight it is the previous layer's output.
    param, neuron = factor.wrt, factor.of
    if not isinstance(param, Weight):
        return factor.expr
    own = symbol_for(Out(neuron.layer, neuron.neuron))
    return factor.expr.xreplace({symbol_for(Out(param.layer - 1, param.source)): own})


# Each mistake: its forms, (label, rules, whether the form exists for a network); the first is its main form.
FORMS: dict = {
    "missing_activation_derivative": _slope_forms(_slope_one),
    "activation_derivative_of_net": _slope_forms(_slope_of_net),
    "wrong_sign": (
        ("target and out swapped in ∂E/∂out", Rules(output_dE_dout=_negated), None),
        ("+ η in the update", Rules(update=_plus_eta), None),
    ),
    "hidden_delta_missing_sum": (
        ("only the term through the neuron with the same number", Rules(hidden_terms=_one_term(_same_number)),
         has_hidden),
        ("only the term through the first neuron", Rules(hidden_terms=_one_term(lambda factor: 0)), has_hidden),
    ),
    "updated_weights_in_hidden_deltas": (
        ("the updated weights in every hidden ∂E/∂out", Rules(dnet_dout=_updated_weight), has_hidden),
    ),
    "input_instead_of_previous_output": (
        ("the neuron's own output in every ∂net/∂w", Rules(dnet_dparam=_own_output), None),
    ),
    "shared_bias_single_delta": (
        ("the first neuron's delta", Rules(gradient_terms=_one_term(lambda g: 0, _shared_bias)), None),
        ("the last neuron's delta", Rules(gradient_terms=_one_term(lambda g: -1, _shared_bias)), None),
    ),
    "learning_rate_missing": (
        ("η replaced by 1", Rules(update=_without_eta), None),
    ),
}
