"""SymPy derives backpropagation layer by layer, one symbol per net input, output and delta.

Every chain-rule factor is a :class:`Factor`: a partial derivative with its own symbol, the
expression SymPy derived for it (``sp.diff`` of the defining expressions), and, where the
chain rule splits it further, the sum of products of smaller factors it equals. Deriving
per layer keeps every expression small: an 8-16-8 net derives in well under a second,
where differentiating the fully expanded error takes minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import sympy as sp

from . import budget, registry
from .quantities import (
    ErrorTerm,
    LearningRate,
    Net,
    Out,
    Parameter,
    Partial,
    Quantity,
    Target,
    TotalError,
    Weight,
    as_quantity,
    gradient,
    renamed,
)
from .spec import Network

__all__ = ["Derivation", "Factor", "clear_caches", "derive", "key_of", "symbol_for"]

_KEYS: dict = {}


@cache
def symbol_for(key: Quantity) -> sp.Symbol:
    """The SymPy symbol of a quantity key; its name is a valid Python identifier."""
    key = as_quantity(key)

    def part(item):
        if isinstance(item, tuple):
            return "_".join(part(x) for x in item)
        return str(item)

    symbol = sp.Symbol("_".join(part(x) for x in key).replace("__", "_"), real=True)
    _KEYS[symbol] = key
    return symbol


def key_of(symbol: sp.Symbol) -> Quantity:
    """The quantity key a symbol stands for (inverse of symbol_for)."""
    return _KEYS[symbol]


@dataclass(frozen=True)
class Factor:
    """A partial derivative ∂of/∂wrt, its derived expression, and how the chain rule splits it.

    ``terms`` is a sum of products: ((f1, f2), (f3, f4)) means f1·f2 + f3·f4. It is empty for
    an elementary factor such as ∂out/∂net or ∂net/∂w.
    """

    key: Partial
    expr: sp.Expr
    terms: tuple = ()

    @property
    def of(self) -> Quantity:
        return self.key.of

    @property
    def wrt(self) -> Quantity:
        return self.key.wrt

    @property
    def symbol(self) -> sp.Symbol:
        """The symbol it is known by (a delta is a quantity of its own: ∂E/∂net_o1 is δ_o1)."""
        return symbol_for(renamed(self.key))


@dataclass
class Derivation:
    """Everything SymPy derives for one network, keyed by quantity keys (see notation.py)."""

    network: Network
    params: tuple         # parameter keys in canonical order (network.parameters.keys)
    definitions: dict     # key -> expression (net inputs, outputs, error terms, total error)
    factors: dict         # Partial key -> Factor
    gradients: dict       # parameter key -> Factor ∂E/∂param
    updates: dict         # parameter key -> expression param - η·∂E/∂param (trained only)

    def symbol(self, key: Quantity) -> sp.Symbol:
        """The symbol standing for a quantity."""
        return symbol_for(key)

    @property
    def input_keys(self) -> list:
        """Out(0, k) for every input k."""
        return [Out(0, k) for k in range(self.network.layers[0])]

    @property
    def target_keys(self) -> list:
        """Target(j) for every output j."""
        return [Target(j) for j in range(self.network.layers[-1])]

    @property
    def trained(self) -> list:
        """Keys of the parameters gradient descent changes."""
        return [p for p in self.params if p in self.updates]

    def delta(self, layer: int, j: int) -> Factor:
        """δ of neuron j in a non-input layer: ∂E/∂net."""
        return self.factors[Partial(TotalError(), Net(layer, j))]

    def chain(self, param: Parameter) -> list:
        """The textbook chain rule for ∂E/∂param: a sum of products of factors.

        ∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5; a shared bias sums one such
        product per neuron it feeds; a softmax output sums over the outputs.
        """
        products = []
        for delta, dnet_dparam in self.gradients[as_quantity(param)].terms:
            for product in delta.terms:
                products.append(tuple(product) + (dnet_dparam,))
        return products

    def assignments(self) -> list:
        """(symbol, expression) pairs in evaluation order: forward, error, deltas, gradients."""
        net = self.network
        pairs = []
        for l in range(1, net.depth + 1):
            pairs += [(symbol_for(Net(l, j)), self.definitions[Net(l, j)]) for j in range(net.layers[l])]
            pairs += [(symbol_for(Out(l, j)), self.definitions[Out(l, j)]) for j in range(net.layers[l])]
        outputs = range(net.layers[-1])
        pairs += [(symbol_for(ErrorTerm(j)), self.definitions[ErrorTerm(j)]) for j in outputs]
        pairs.append((symbol_for(TotalError()), self.definitions[TotalError()]))
        for l in range(net.depth, 0, -1):
            for j in range(net.layers[l]):
                delta = self.delta(l, j)
                pairs.append((delta.symbol, delta.expr))
        pairs += [(self.gradients[p].symbol, self.gradients[p].expr) for p in self.params]
        return pairs


def _forward(network: Network, definitions: dict) -> None:
    S = symbol_for
    for l in range(1, network.depth + 1):
        nets = []
        for j in range(network.layers[l]):
            terms = [S(Weight(l, j, k)) * S(Out(l - 1, k)) for k in range(network.layers[l - 1])]
            bias = network.parameters.bias_key(l, j)
            if bias is not None:
                terms.append(S(bias))
            definitions[Net(l, j)] = sp.Add(*terms)
            nets.append(S(Net(l, j)))
        entry = registry.activation(network.activations[l - 1])
        for j in range(network.layers[l]):
            definitions[Out(l, j)] = entry.output(nets, j)
    L, n = network.depth, network.layers[-1]
    loss = registry.loss(network.loss)
    for j in range(n):
        definitions[ErrorTerm(j)] = registry.evaluated(loss.term(S(Out(L, j)), S(Target(j)), n))
    definitions[TotalError()] = sp.Add(*[S(ErrorTerm(j)) for j in range(n)])


def _simplest(expr: sp.Expr) -> sp.Expr:
    """Cancel a quotient (BCE's 1/out against the sigmoid's out(1 - out)); leave products alone."""
    # Look for a division in the expression itself: sp.together may already cancel it, and
    # then the uncancelled form would still divide by out (0 when the sigmoid saturates).
    if not any(power.exp.is_negative for power in expr.atoms(sp.Pow)):
        return expr
    return sp.factor(sp.cancel(expr))


def _diff(expr: sp.Expr, symbol: sp.Symbol) -> sp.Expr:
    """``sp.diff``, of a sum only over the terms that contain ``symbol`` (the others give 0).

    A net input has a term per incoming weight; differentiating every term for every weight made
    the derivation quadratic in the fan-in (most of a 16-32-16 net's time). The result is the same
    expression SymPy gives for the whole sum.
    """
    if isinstance(expr, sp.Add):
        # A net input's term is a weight times an output, or a bias: look at its factors first.
        expr = sp.Add(*[term for term in expr.args
                        if term == symbol or symbol in term.args or (not term.is_Mul and term.has(symbol))
                        or (term.is_Mul and any(arg.has(symbol) for arg in term.args if not arg.is_Symbol))])
    return sp.diff(expr, symbol)


def _backward(network: Network, definitions: dict, factors: dict) -> None:
    S = symbol_for
    L, E = network.depth, TotalError()
    error = sp.Add(*[definitions[ErrorTerm(j)] for j in range(network.layers[L])])

    def elementary(of, wrt, expr):
        factor = Factor(Partial(of, wrt), expr)
        factors[factor.key] = factor
        return factor

    for l in range(L, 0, -1):
        size = network.layers[l]
        entry = registry.activation(network.activations[l - 1])
        nets = [S(Net(l, j)) for j in range(size)]
        outs = [S(Out(l, j)) for j in range(size)]
        # ∂E/∂out for every neuron of this layer.
        dE_dout = []
        for j in range(size):
            if l == L:
                dE_dout.append(elementary(E, Out(l, j), _diff(error, outs[j])))
                continue
            terms, total = [], []
            for i in range(network.layers[l + 1]):
                downstream = factors[Partial(E, Net(l + 1, i))]
                dnet_dout = elementary(Net(l + 1, i), Out(l, j), _diff(definitions[Net(l + 1, i)], outs[j]))
                terms.append((downstream, dnet_dout))
                total.append(downstream.symbol * dnet_dout.expr)
            factor = Factor(Partial(E, Out(l, j)), sp.Add(*total), tuple(terms))
            factors[factor.key] = factor
            dE_dout.append(factor)
        # δ = ∂E/∂net: through every output the net input reaches (only itself unless softmax).
        for j in range(size):
            products, network_form = [], []
            for i in (range(size) if entry.coupled else (j,)):
                dout_dnet = elementary(Out(l, i), Net(l, j), entry.derivative(nets, outs, i, j))
                products.append((dE_dout[i], dout_dnet))
                network_form.append(dE_dout[i].expr * dout_dnet.expr)
            delta = Factor(Partial(E, Net(l, j)), _simplest(sp.Add(*network_form)), tuple(products))
            factors[delta.key] = delta


def _gradients(network: Network, definitions: dict, factors: dict) -> dict:
    S = symbol_for
    gradients = {}
    for param in network.parameters.keys:
        l = param.layer
        terms, total = [], []
        for j in network.parameters.fed_by(param):
            delta = factors[Partial(TotalError(), Net(l, j))]
            local = _diff(definitions[Net(l, j)], S(param))
            dnet_dparam = Factor(Partial(Net(l, j), param), local)
            factors[dnet_dparam.key] = dnet_dparam
            terms.append((delta, dnet_dparam))
            total.append(delta.symbol * local)
        gradients[param] = Factor(gradient(param), sp.Add(*total), tuple(terms))
    return gradients


def derive(network: Network) -> Derivation:
    """Derive the forward pass, error, deltas, gradients and updates of a network."""
    return _derive(network, registry.generation())


# Cached per network and registry generation: an activation registered again under the same
# name must not find the old entry's derivation.
@lru_cache(maxsize=32)
def _derive(network: Network, generation: int) -> Derivation:
    # Before any work: a network whose derivation would block the kernel for minutes is refused.
    budget.check_derivation(network.layers, len(network.parameters.keys))
    definitions: dict = {}
    factors: dict = {}
    params = network.parameters.keys
    _forward(network, definitions)
    _backward(network, definitions, factors)
    gradients = _gradients(network, definitions, factors)
    eta = symbol_for(LearningRate())
    updates = {
        p: symbol_for(p) - eta * gradients[p].symbol
        for p in params
        if isinstance(p, Weight) or network.train_bias
    }
    return Derivation(network, params, definitions, factors, gradients, updates)


def clear_caches() -> None:
    """Forget every cached derivation (benchmarks measure a fresh derivation this way)."""
    _derive.cache_clear()
