"""Backpropagation in matrix form, assembled from the scalar values the derivation computed.

Layers are numbered as the layered names and the displays number them, the inputs being layer 1:
``form.layer(3)`` of a 2-2-2 network is its output layer, with W^(3). (Quantity keys count from
0 at the inputs: that layer's weights are ``Weight(2, j, k)``.) For each layer l: the weights W^l, the previous layer's
outputs a^(l−1), the biases b^l, the net inputs z^l, the slopes f′(z^l), ∂E/∂a^l, the deltas δ^l
and the gradients ∂E/∂W^l. Every entry keeps the quantity key of the scalar it is, so a view can
show that scalar's own step. Each :class:`Equation` holds NumPy's product of its right-hand side:
the matrix form is checked against the scalars, never assumed.

    z^l      = W^l a^(l−1) + b^l
    ∂E/∂a^l  = (W^(l+1))^T δ^(l+1)                 (a hidden layer)
    δ^l      = ∂E/∂a^l ⊙ f′(z^l)                    (an elementwise activation)
    δ^L      = J^T ∂E/∂a^L,  J_ij = ∂a_i/∂z_j       (softmax couples its outputs: its Jacobian)
    ∂E/∂W^l  = δ^l (a^(l−1))^T
    ∂E/∂b^l  = δ^l, or 1^T δ^l for a bias the layer shares
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import registry
from ..core.checks import SpecError
from ..core.example_files import load_example
from ..core.quantities import Delta, Net, Out, Partial, TotalError, Weight, gradient
from ..core.spec import Example
from .walkthrough import Walkthrough, walkthrough

__all__ = ["PARTS", "Equation", "LayerMatrices", "Matrix", "MatrixForm", "matrix_form"]

# forward: z = W a + b; delta: ∂E/∂a and δ; gradient: ∂E/∂W and ∂E/∂b.
PARTS = ("forward", "delta", "gradient")


@dataclass(frozen=True)
class Matrix:
    """A matrix or column vector: its LaTeX symbol, each entry's quantity key (None for a constant), its values."""

    symbol: str
    keys: tuple          # one tuple of keys per row
    values: np.ndarray   # (rows, columns)

    @property
    def shape(self) -> tuple:
        """(rows, columns)."""
        return self.values.shape

    def key(self, row: int, column: int):
        """The quantity key of one entry."""
        return self.keys[row][column]

    def transposed(self) -> Matrix:
        """The transpose, entry keys and all."""
        return Matrix(rf"\left({self.symbol}\right)^{{T}}", tuple(zip(*self.keys)), self.values.T)


@dataclass(frozen=True)
class Equation:
    """lhs = the right-hand side's terms, read left to right; ``product`` is NumPy's value of them.

    ``terms`` holds (operator, Matrix): "" for the first term and for a matrix product, "+" for a
    sum, ``\\odot`` for an elementwise product.
    """

    part: str
    layer: int
    lhs: Matrix
    terms: tuple
    product: np.ndarray

    @property
    def difference(self) -> float:
        """The largest gap between the product and the scalar values, relative to their size (at least 1)."""
        scale = max(1.0, float(np.max(np.abs(self.lhs.values))))
        return float(np.max(np.abs(self.product - self.lhs.values))) / scale


@dataclass(frozen=True)
class LayerMatrices:
    """The matrices and vectors of one layer, and the equations that link them.

    ``layer`` is the layer of its quantity keys (``Weight(layer, j, k)``); ``number`` the layer as shown.
    """

    layer: int
    coupled: bool
    weights: Matrix
    previous: Matrix
    biases: Matrix | None
    net: Matrix
    slopes: Matrix           # f′(z) as a column, or the Jacobian ∂a/∂z when the activation couples
    error_by_output: Matrix
    deltas: Matrix
    weight_gradients: Matrix
    bias_gradients: Matrix | None
    equations: tuple

    @property
    def number(self) -> int:
        """The layer's number as the displays show it, the inputs being layer 1 (W^(number))."""
        return self.layer + 1


@dataclass(frozen=True)
class MatrixForm:
    """Every layer's matrices for one sample, and the walkthrough whose scalars fill them."""

    walk: Walkthrough
    layers: tuple   # LayerMatrices from the first layer after the inputs to the outputs

    def layer(self, number: int) -> LayerMatrices:
        """The matrices of a layer, numbered as shown: the inputs are layer 1, so the first one with weights is 2."""
        last = len(self.layers) + 1
        if isinstance(number, bool) or not isinstance(number, int) or not 2 <= number <= last:
            raise SpecError("layer", f"expected a layer from 2 to {last} (layer 1 is the inputs), got {number!r}")
        return self.layers[number - 2]

    def equations(self, layer: int | None = None, part: str | None = None) -> list:
        """The equations of one layer (numbered as shown, or all) and part (or all): forward first, then backwards."""
        if part is not None and part not in PARTS:
            raise SpecError("part", f"expected one of {', '.join(PARTS)}, got {part!r}")
        chosen = [self.layer(layer)] if layer is not None else list(self.layers)
        forward = [e for m in chosen for e in m.equations if e.part == "forward"]
        backward = [e for m in reversed(chosen) for e in m.equations if e.part != "forward"]
        return [e for e in forward + backward if part is None or e.part == part]

    @property
    def largest_difference(self) -> float:
        """The largest relative gap between any matrix product and the scalars it should equal."""
        return max(e.difference for e in self.equations())


def _product(terms) -> np.ndarray:
    value = terms[0][1].values
    for operator, matrix in terms[1:]:
        if operator == "+":
            value = value + matrix.values
        elif operator == r"\odot":
            value = value * matrix.values
        else:
            value = value @ matrix.values
    return value


def _equation(part, layer, lhs, *terms) -> Equation:
    return Equation(part, layer, lhs, tuple(terms), _product(terms))


def _layer(walk: Walkthrough, l: int, below: LayerMatrices | None) -> LayerMatrices:
    net = walk.example.network
    values, layout = walk.values, net.parameters
    size, fan_in, n = net.layers[l], net.layers[l - 1], l + 1   # n: the layered notation's layer number
    E = TotalError()

    def matrix(symbol, keys):
        return Matrix(symbol, tuple(tuple(row) for row in keys),
                      np.array([[1.0 if k is None else values[k] for k in row] for row in keys], dtype=float))

    def column(symbol, keys):
        return matrix(symbol, [[k] for k in keys])

    coupled = registry.activation(net.activations[l - 1]).coupled
    weights = matrix(f"W^{{({n})}}", [[Weight(l, j, k) for k in range(fan_in)] for j in range(size)])
    previous = column(f"a^{{({n - 1})}}", [Out(l - 1, k) for k in range(fan_in)])
    bias_keys = [layout.bias_key(l, j) for j in range(size)]
    biases = column(f"b^{{({n})}}", bias_keys) if layout.has_bias else None
    z = column(f"z^{{({n})}}", [Net(l, j) for j in range(size)])
    if coupled:
        slopes = matrix(f"J^{{({n})}}", [[Partial(Out(l, i), Net(l, j)) for j in range(size)] for i in range(size)])
    else:
        slopes = column(f"f'\\left(z^{{({n})}}\\right)", [Partial(Out(l, j), Net(l, j)) for j in range(size)])
    dE_da = column(rf"\frac{{\partial E}}{{\partial a^{{({n})}}}}", [Partial(E, Out(l, j)) for j in range(size)])
    deltas = column(rf"\delta^{{({n})}}", [Delta(l, j) for j in range(size)])
    dE_dW = matrix(rf"\frac{{\partial E}}{{\partial W^{{({n})}}}}",
                   [[gradient(Weight(l, j, k)) for k in range(fan_in)] for j in range(size)])
    equations = [_equation("forward", l, z, ("", weights), ("", previous), *([("+", biases)] if biases else []))]
    if below is not None:   # a hidden layer: the sum over the next layer is a matrix product
        equations.append(_equation("delta", l, dE_da, ("", below.weights.transposed()), ("", below.deltas)))
    if coupled:
        equations.append(_equation("delta", l, deltas, ("", slopes.transposed()), ("", dE_da)))
    else:
        equations.append(_equation("delta", l, deltas, ("", dE_da), (r"\odot", slopes)))
    equations.append(_equation("gradient", l, dE_dW, ("", deltas), ("", previous.transposed())))
    bias_gradients = None
    if layout.has_bias:
        if layout.shared:   # one bias feeds every neuron: its gradient sums the deltas
            bias_gradients = matrix(rf"\frac{{\partial E}}{{\partial b^{{({n})}}}}", [[gradient(bias_keys[0])]])
            ones = Matrix(r"\mathbf{1}", tuple((None,) for _ in range(size)), np.ones((size, 1)))
            equations.append(_equation("gradient", l, bias_gradients, ("", ones.transposed()), ("", deltas)))
        else:
            bias_gradients = column(rf"\frac{{\partial E}}{{\partial b^{{({n})}}}}", [gradient(b) for b in bias_keys])
            equations.append(_equation("gradient", l, bias_gradients, ("", deltas)))
    return LayerMatrices(l, coupled, weights, previous, biases, z, slopes, dE_da, deltas, dE_dW, bias_gradients,
                         tuple(equations))


def matrix_form(source: str | Example | Walkthrough = "mazur", sample: int = 0, notation: str = "mazur") -> MatrixForm:
    """The matrix form of one sample's forward and backward pass, filled with the walkthrough's scalar values."""
    if isinstance(source, Walkthrough):
        walk = source
    else:
        example = load_example(source) if isinstance(source, str) else source
        if not isinstance(example, Example):
            raise SpecError("example", f"expected a preset name, an Example or a Walkthrough, got "
                                       f"{type(source).__name__}")
        walk = walkthrough(example, notation, sample)
    depth = walk.example.network.depth
    layers: list = []
    below = None
    for l in range(depth, 0, -1):   # backwards: a hidden layer's equations use the layer after it
        below = _layer(walk, l, below)
        layers.insert(0, below)
    return MatrixForm(walk, tuple(layers))
