"""SymPy derives backpropagation layer by layer, one symbol per net input, output and delta.

Every chain-rule factor is a :class:`Factor`: a partial derivative with its own symbol, the
expression SymPy derived for it (``sp.diff`` of the defining expressions), and, where the
chain rule splits it further, the sum of products of smaller factors it equals. Deriving
per layer keeps every expression small: an 8-16-8 net derives in well under a second,
where differentiating the fully expanded error takes minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .functions import activation, activation_derivative, loss_terms
from .spec import Network

__all__ = ["Derivation", "Factor", "derive", "key_of", "symbol_for"]

Key = tuple
_KEYS: dict = {}


@lru_cache(maxsize=None)
def symbol_for(key: Key) -> sp.Symbol:
    """The SymPy symbol of a quantity key; its name is a valid Python identifier."""
    def part(item):
        if isinstance(item, tuple):
            return "_".join(part(x) for x in item)
        return str(item)

    symbol = sp.Symbol("_".join(part(x) for x in key).replace("__", "_"), real=True)
    _KEYS[symbol] = key
    return symbol


def key_of(symbol: sp.Symbol) -> Key:
    """The quantity key a symbol stands for (inverse of symbol_for)."""
    return _KEYS[symbol]


@dataclass(frozen=True)
class Factor:
    """A partial derivative ∂of/∂wrt, its derived expression, and how the chain rule splits it.

    ``terms`` is a sum of products: ((f1, f2), (f3, f4)) means f1·f2 + f3·f4. It is empty for
    an elementary factor such as ∂out/∂net or ∂net/∂w.
    """

    key: Key
    expr: sp.Expr
    terms: tuple = ()

    @property
    def of(self) -> Key:
        return self.key[1]

    @property
    def wrt(self) -> Key:
        return self.key[2]

    @property
    def symbol(self) -> sp.Symbol:
        # A delta is a quantity of its own: ∂E/∂net_o1 is named δ_o1.
        if self.of == ("E",) and self.wrt[0] == "z":
            return symbol_for(("delta",) + self.wrt[1:])
        return symbol_for(self.key)


def _derivative_key(of: Key, wrt: Key) -> Key:
    return ("d", of, wrt)


@dataclass
class Derivation:
    """Everything SymPy derives for one network, keyed by quantity keys (see notation.py)."""

    network: Network
    params: list          # parameter keys in canonical order: per layer, weights then bias
    definitions: dict     # key -> expression (net inputs, outputs, error terms, total error)
    factors: dict         # ("d", of, wrt) key -> Factor
    gradients: dict       # parameter key -> Factor ∂E/∂param
    updates: dict         # parameter key -> expression param - η·∂E/∂param (trained only)

    def symbol(self, key: Key) -> sp.Symbol:
        """The symbol standing for a quantity."""
        return symbol_for(key)

    @property
    def input_keys(self) -> list:
        return [("a", 0, k) for k in range(self.network.layers[0])]

    @property
    def target_keys(self) -> list:
        return [("t", j) for j in range(self.network.layers[-1])]

    @property
    def trained(self) -> list:
        """Keys of the parameters gradient descent changes."""
        return [p for p in self.params if p in self.updates]

    def delta(self, layer: int, j: int) -> Factor:
        """δ of neuron j in a non-input layer: ∂E/∂net."""
        return self.factors[_derivative_key(("E",), ("z", layer, j))]

    def chain(self, param: Key) -> list:
        """The textbook chain rule for ∂E/∂param: a sum of products of factors.

        ∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5; a shared bias sums one such
        product per neuron it feeds; a softmax output sums over the outputs.
        """
        products = []
        for delta, dnet_dparam in self.gradients[param].terms:
            for product in delta.terms:
                products.append(tuple(product) + (dnet_dparam,))
        return products

    def assignments(self) -> list:
        """(symbol, expression) pairs in evaluation order: forward, error, deltas, gradients."""
        net = self.network
        pairs = []
        for l in range(1, net.depth + 1):
            pairs += [(symbol_for(("z", l, j)), self.definitions[("z", l, j)]) for j in range(net.layers[l])]
            pairs += [(symbol_for(("a", l, j)), self.definitions[("a", l, j)]) for j in range(net.layers[l])]
        outputs = range(net.layers[-1])
        pairs += [(symbol_for(("Eo", j)), self.definitions[("Eo", j)]) for j in outputs]
        pairs.append((symbol_for(("E",)), self.definitions[("E",)]))
        for l in range(net.depth, 0, -1):
            for j in range(net.layers[l]):
                delta = self.delta(l, j)
                pairs.append((delta.symbol, delta.expr))
        pairs += [(self.gradients[p].symbol, self.gradients[p].expr) for p in self.params]
        return pairs


def _parameters(network: Network) -> list:
    keys = []
    for l in range(1, network.depth + 1):
        keys += [("w", l, j, k) for j in range(network.layers[l]) for k in range(network.layers[l - 1])]
        if network.bias == "shared":
            keys.append(("b", l))
        elif network.bias == "per_neuron":
            keys += [("b", l, j) for j in range(network.layers[l])]
    return keys


def _bias_key(network: Network, l: int, j: int):
    if network.bias == "shared":
        return ("b", l)
    if network.bias == "per_neuron":
        return ("b", l, j)
    return None


def _forward(network: Network, definitions: dict) -> None:
    S = symbol_for
    for l in range(1, network.depth + 1):
        nets = []
        for j in range(network.layers[l]):
            terms = [S(("w", l, j, k)) * S(("a", l - 1, k)) for k in range(network.layers[l - 1])]
            bias = _bias_key(network, l, j)
            if bias is not None:
                terms.append(S(bias))
            definitions[("z", l, j)] = sp.Add(*terms)
            nets.append(S(("z", l, j)))
        for j in range(network.layers[l]):
            definitions[("a", l, j)] = activation(network.activations[l - 1], nets, j)
    L = network.depth
    outs = [S(("a", L, j)) for j in range(network.layers[L])]
    targets = [S(("t", j)) for j in range(network.layers[L])]
    terms = loss_terms(network.loss, outs, targets)
    for j, term in enumerate(terms):
        definitions[("Eo", j)] = term
    definitions[("E",)] = sp.Add(*[S(("Eo", j)) for j in range(len(terms))])


def _simplest(expr: sp.Expr) -> sp.Expr:
    """Cancel a quotient (BCE's 1/out against the sigmoid's out(1 - out)); leave products alone."""
    # Look for a division in the expression itself: sp.together may already cancel it, and
    # then the uncancelled form would still divide by out (0 when the sigmoid saturates).
    if not any(power.exp.is_negative for power in expr.atoms(sp.Pow)):
        return expr
    return sp.factor(sp.cancel(expr))


def _backward(network: Network, definitions: dict, factors: dict) -> None:
    S = symbol_for
    L = network.depth
    error = sp.Add(*[definitions[("Eo", j)] for j in range(network.layers[L])])

    def elementary(of, wrt, expr):
        factor = Factor(_derivative_key(of, wrt), expr)
        factors[factor.key] = factor
        return factor

    for l in range(L, 0, -1):
        size = network.layers[l]
        name = network.activations[l - 1]
        nets = [S(("z", l, j)) for j in range(size)]
        outs = [S(("a", l, j)) for j in range(size)]
        # ∂E/∂out for every neuron of this layer.
        dE_dout = []
        for j in range(size):
            if l == L:
                dE_dout.append(elementary(("E",), ("a", l, j), sp.diff(error, outs[j])))
                continue
            terms, total = [], []
            for i in range(network.layers[l + 1]):
                downstream = factors[_derivative_key(("E",), ("z", l + 1, i))]
                dnet_dout = elementary(("z", l + 1, i), ("a", l, j),
                                       sp.diff(definitions[("z", l + 1, i)], outs[j]))
                terms.append((downstream, dnet_dout))
                total.append(downstream.symbol * dnet_dout.expr)
            factor = Factor(_derivative_key(("E",), ("a", l, j)), sp.Add(*total), tuple(terms))
            factors[factor.key] = factor
            dE_dout.append(factor)
        # δ = ∂E/∂net: through every output the net input reaches (only itself unless softmax).
        coupled = name == "softmax"
        for j in range(size):
            products, network_form = [], []
            for i in (range(size) if coupled else (j,)):
                dout_dnet = elementary(("a", l, i), ("z", l, j), activation_derivative(name, nets, outs, i, j))
                products.append((dE_dout[i], dout_dnet))
                network_form.append(dE_dout[i].expr * dout_dnet.expr)
            delta = Factor(_derivative_key(("E",), ("z", l, j)), _simplest(sp.Add(*network_form)), tuple(products))
            factors[delta.key] = delta


def _gradients(network: Network, params: list, definitions: dict, factors: dict) -> dict:
    S = symbol_for
    gradients = {}
    for param in params:
        l = param[1]
        fed = [param[2]] if param[0] == "w" or len(param) == 3 else range(network.layers[l])
        terms, total = [], []
        for j in fed:
            delta = factors[_derivative_key(("E",), ("z", l, j))]
            local = sp.diff(definitions[("z", l, j)], S(param))
            dnet_dparam = Factor(_derivative_key(("z", l, j), param), local)
            factors[dnet_dparam.key] = dnet_dparam
            terms.append((delta, dnet_dparam))
            total.append(delta.symbol * local)
        gradients[param] = Factor(_derivative_key(("E",), param), sp.Add(*total), tuple(terms))
    return gradients


@lru_cache(maxsize=32)
def derive(network: Network) -> Derivation:
    """Derive the forward pass, error, deltas, gradients and updates of a network."""
    definitions: dict = {}
    factors: dict = {}
    params = _parameters(network)
    _forward(network, definitions)
    _backward(network, definitions, factors)
    gradients = _gradients(network, params, definitions, factors)
    eta = symbol_for(("eta",))
    updates = {
        p: symbol_for(p) - eta * gradients[p].symbol
        for p in params
        if p[0] == "w" or network.train_bias
    }
    return Derivation(network, params, definitions, factors, gradients, updates)
