"""Names of every quantity in the two notations: Mazur's (w5, net_h1, δ_o1) and the layered one.

Keys are the typed quantities of :mod:`backprop_tutor.core.quantities`, with 0-based indices and
layer 0 the inputs. Their names:

    Out(0, k)         input k                Mazur i1          layered x_1
    Weight(l, j, k)   weight k -> j into l   Mazur w1..w8      layered w^(l+1)_jk
    Bias(l)           shared bias of layer l Mazur b1, b2      layered b^(l+1)
    Bias(l, j)        bias of neuron j       Mazur b_h1        layered b^(l+1)_j
    Net(l, j)         net input              Mazur net_h1      layered z^(l+1)_j
    Out(l, j)         output (activation)    Mazur out_h1      layered a^(l+1)_j
    Target(j)         target                 Mazur target_o1   layered y_1
    ErrorTerm(j)      error of output j      Mazur E_o1        layered E_1
    TotalError()      total error            Mazur E_total     layered E
    Delta(l, j)       ∂E/∂net                Mazur δ_o1        layered δ^(l+1)_j
    LearningRate()    learning rate          η
    Partial(of, wrt)  ∂of/∂wrt               dE_total/dw5      dE/dw11_3
    Updated(p)        p after one update     w5+               w11_3+
    ErrorAfter()      the error after it     E_total+          E+

The layered notation numbers layers from 1 at the inputs, as the seed's code does (w11_2,
z1_2, a1_2). :meth:`Namer.parse` reads a printed name back into its key through a lookup
table of every name the network has: no text is ever evaluated.
"""

from __future__ import annotations

from functools import lru_cache

from ..core.checks import SpecError
from ..core.quantities import (
    Bias,
    Delta,
    ErrorAfter,
    ErrorTerm,
    LearningRate,
    Net,
    Out,
    Partial,
    Quantity,
    Target,
    TotalError,
    Updated,
    Weight,
    as_quantity,
    gradient,
)
from ..core.spec import Network

__all__ = ["NOTATIONS", "Namer", "quantity"]

NOTATIONS = ("mazur", "layered")
# Spellings a learner may type for the same name: ∂E/∂w5, δ_o1, η, w5⁺.
_SPELLINGS = (("∂", "d"), ("δ", "delta"), ("η", "eta"), ("⁺", "+"), (" ", ""))


def _normal(name: str) -> str:
    for old, new in _SPELLINGS:
        name = name.replace(old, new)
    return name


class Namer:
    """Gives each quantity key its LaTeX and plain-text name in one notation, and reads names back."""

    def __init__(self, network: Network, notation: str = "mazur"):
        if notation not in NOTATIONS:
            raise ValueError(f"notation: expected one of {', '.join(NOTATIONS)}; got {notation!r}")
        self.network = network
        self.notation = notation
        # Mazur counts weights across the whole net: w1..w4 feed h1, h2; w5..w8 feed o1, o2.
        self._first_weight = [0]
        for fan_in, fan_out in zip(network.layers, network.layers[1:]):
            self._first_weight.append(self._first_weight[-1] + fan_in * fan_out)

    # -- neurons -------------------------------------------------------------------------
    def neuron(self, layer: int, j: int) -> str:
        """Plain name of a neuron: i1, h1, o1 (Mazur) or '1 in layer 2' (layered)."""
        if self.notation == "layered":
            return f"{j + 1} in layer {layer + 1}"
        last = len(self.network.layers) - 1
        if layer == 0:
            return f"i{j + 1}"
        if layer == last:
            return f"o{j + 1}"
        if last == 2:
            return f"h{j + 1}"
        return f"h{layer}_{j + 1}"

    def neuron_tex(self, layer: int, j: int) -> str:
        """A neuron's Mazur name in LaTeX: h_{1}, o_{2}, or h^{(2)}_{1} in deeper nets."""
        name = self.neuron(layer, j)
        if "_" in name:  # a hidden neuron of a deeper net: h2_1 -> h^{(2)}_{1}
            letter_layer, index = name.split("_")
            return f"{letter_layer[0]}^{{({letter_layer[1:]})}}_{{{index}}}"
        return f"{name[0]}_{{{name[1:]}}}"

    def _mazur_tex_neuron(self, layer: int, j: int) -> str:
        name = self.neuron(layer, j)  # only called in Mazur notation
        if "_" in name:
            return self.neuron_tex(layer, j)
        return name

    def weight_number(self, l: int, j: int, k: int) -> int:
        """Mazur's number of the weight from neuron k of layer l-1 to neuron j of layer l."""
        return self._first_weight[l - 1] + j * self.network.layers[l - 1] + k + 1

    # -- names ---------------------------------------------------------------------------
    def tex(self, key: Quantity) -> str:
        """LaTeX name of a quantity."""
        key = as_quantity(key)
        if isinstance(key, Partial):
            return r"\frac{\partial %s}{\partial %s}" % (self.tex(key.of), self.tex(key.wrt))
        if isinstance(key, LearningRate):
            return r"\eta"
        if isinstance(key, Updated):
            return "{" + self.tex(key.param) + "}^{+}"
        if isinstance(key, ErrorAfter):
            return "{" + self.tex(TotalError()) + "}^{+}"
        return self._layered_tex(key) if self.notation == "layered" else self._mazur_tex(key)

    def text(self, key: Quantity) -> str:
        """Plain-text name of a quantity, as Mazur's prose and most code write it."""
        key = as_quantity(key)
        if isinstance(key, Partial):
            return f"d{self.text(key.of)}/d{self.text(key.wrt)}"
        if isinstance(key, LearningRate):
            return "eta"
        if isinstance(key, Updated):
            return self.text(key.param) + "+"
        if isinstance(key, ErrorAfter):
            return self.text(TotalError()) + "+"
        return self._layered_text(key) if self.notation == "layered" else self._mazur_text(key)

    def dataset_loss(self, n_samples: int) -> tuple:
        """(TeX, text) name of what training minimises: the error itself for one sample, else L, its mean.

        One sample's error (the walkthrough's E_total) and the dataset's mean loss are different
        numbers on a dataset of several samples, so they never share a name.
        """
        if n_samples == 1:
            return self.tex(TotalError()), self.text(TotalError())
        return "L", "L"

    def dataset_loss_words(self, n_samples: int) -> str:
        """The dataset loss's name with what it means, for a label or a sentence."""
        name = self.dataset_loss(n_samples)[1]
        if n_samples == 1:
            return name
        return f"{name}, the mean of {self.text(TotalError())} over the {n_samples} samples"

    def _mazur_tex(self, key: Quantity) -> str:
        if isinstance(key, Weight):
            return f"w_{{{self.weight_number(*key[1:])}}}"
        if isinstance(key, Bias):
            return f"b_{{{key.layer}}}" if key.shared else f"b_{{{self._mazur_tex_neuron(key.layer, key.neuron)}}}"
        if isinstance(key, Out) and key.is_input:
            return f"i_{{{key.neuron + 1}}}"
        if isinstance(key, (Net, Out, Delta)):
            # Multi-letter names are words, set upright: \mathrm{net}, not n·e·t in italic.
            prefix = {Net: r"\mathrm{net}", Out: r"\mathrm{out}", Delta: r"\delta"}[type(key)]
            return f"{prefix}_{{{self._mazur_tex_neuron(key.layer, key.neuron)}}}"
        if isinstance(key, Target):
            return rf"\mathrm{{target}}_{{o{key.neuron + 1}}}"
        if isinstance(key, ErrorTerm):
            return f"E_{{o{key.neuron + 1}}}"
        if isinstance(key, TotalError):
            return r"E_{\mathrm{total}}"
        raise KeyError(key)

    def _mazur_text(self, key: Quantity) -> str:
        if isinstance(key, Weight):
            return f"w{self.weight_number(*key[1:])}"
        if isinstance(key, Bias):
            return f"b{key.layer}" if key.shared else f"b_{self.neuron(key.layer, key.neuron)}"
        if isinstance(key, Out) and key.is_input:
            return f"i{key.neuron + 1}"
        if isinstance(key, (Net, Out, Delta)):
            prefix = {Net: "net", Out: "out", Delta: "delta"}[type(key)]
            return f"{prefix}_{self.neuron(key.layer, key.neuron)}"
        if isinstance(key, Target):
            return f"target_o{key.neuron + 1}"
        if isinstance(key, ErrorTerm):
            return f"E_o{key.neuron + 1}"
        if isinstance(key, TotalError):
            return "E_total"
        raise KeyError(key)

    def _index_separator(self, key: Weight) -> str:
        # w11_2 reads "to 1, from 1"; past 9 neurons the digits would run together (w111_2).
        return "," if max(self.network.layers[key.layer - 1], self.network.layers[key.layer]) > 9 else ""

    def _layered_tex(self, key: Quantity) -> str:
        if isinstance(key, Weight):
            indices = f"{key.target + 1}{self._index_separator(key)}{key.source + 1}"
            return f"w^{{({key.layer + 1})}}_{{{indices}}}"
        if isinstance(key, Bias):
            return f"b^{{({key.layer + 1})}}" + ("" if key.shared else f"_{{{key.neuron + 1}}}")
        if isinstance(key, Out) and key.is_input:
            return f"x_{{{key.neuron + 1}}}"
        if isinstance(key, (Net, Out, Delta)):
            letter = {Net: "z", Out: "a", Delta: r"\delta"}[type(key)]
            return f"{letter}^{{({key.layer + 1})}}_{{{key.neuron + 1}}}"
        if isinstance(key, Target):
            return f"y_{{{key.neuron + 1}}}"
        if isinstance(key, ErrorTerm):
            return f"E_{{{key.neuron + 1}}}"
        if isinstance(key, TotalError):
            return "E"
        raise KeyError(key)

    def _layered_text(self, key: Quantity) -> str:
        if isinstance(key, Weight):
            return f"w{key.target + 1}{self._index_separator(key)}{key.source + 1}_{key.layer + 1}"
        if isinstance(key, Bias):
            return f"b_{key.layer + 1}" if key.shared else f"b{key.neuron + 1}_{key.layer + 1}"
        if isinstance(key, Out) and key.is_input:
            return f"x{key.neuron + 1}"
        if isinstance(key, (Net, Out, Delta)):
            letter = {Net: "z", Out: "a", Delta: "delta"}[type(key)]
            return f"{letter}{key.neuron + 1}_{key.layer + 1}"
        if isinstance(key, Target):
            return f"y{key.neuron + 1}"
        if isinstance(key, ErrorTerm):
            return f"E_{key.neuron + 1}"
        if isinstance(key, TotalError):
            return "E"
        raise KeyError(key)

    # -- names back to keys -----------------------------------------------------------------
    def parse(self, name: str) -> Quantity:
        """The key of a printed name in this notation (``"dE/dw5"``, ``"delta_o1"``, ``"w5+"``)."""
        try:
            return _name_table(self.network, self.notation)[_normal(name)]
        except KeyError:
            examples = "w5, net_h1, delta_o1, dE_total/dw5, w5+" if self.notation == "mazur" else \
                "w11_2, z1_2, delta1_3, dE/dw11_3, w11_3+"
            raise SpecError("quantity", f"no quantity named {name!r} in this network "
                                        f"(names look like {examples})") from None


@lru_cache(maxsize=16)
def _name_table(network: Network, notation: str) -> dict:
    """Every printed name of a network's quantities in one notation -> its key (built once)."""
    namer, table = Namer(network, notation), {}
    for key in _every_key(network):
        name = _normal(namer.text(key))
        table.setdefault(name, key)
        if notation == "mazur" and "E_total" in name:
            table.setdefault(name.replace("E_total", "E"), key)   # dE/dw5 for dE_total/dw5
    return table


def _every_key(network: Network) -> list:
    """Every quantity a network has, for the name table: data, parameters, forward, backward, updates."""
    sizes, L, E = network.layers, network.depth, TotalError()
    keys: list = [Out(0, k) for k in range(sizes[0])] + [Target(j) for j in range(sizes[-1])]
    keys += list(network.parameters.keys)
    for l in range(1, L + 1):
        for j in range(sizes[l]):
            keys += [Net(l, j), Out(l, j), Delta(l, j), Partial(E, Out(l, j)), Partial(E, Net(l, j))]
            keys += [Partial(Out(l, i), Net(l, j)) for i in range(sizes[l])]
            if l < L:
                keys += [Partial(Net(l + 1, i), Out(l, j)) for i in range(sizes[l + 1])]
    for param in network.parameters.keys:
        keys += [gradient(param), Updated(param)]
        keys += [Partial(Net(param.layer, j), param) for j in network.parameters.fed_by(param)]
    keys += [ErrorTerm(j) for j in range(sizes[-1])] + [E, ErrorAfter(), LearningRate()]
    return keys


def quantity(name_or_key: str | tuple, network: Network) -> Quantity:
    """A quantity key from a key (typed or a plain tuple) or a printed name in either notation."""
    if not isinstance(name_or_key, str):
        try:
            return as_quantity(name_or_key)
        except KeyError:
            raise SpecError("quantity", f"expected a quantity name such as 'dE/dw5', got {name_or_key!r}") from None
    try:
        return Namer(network, "mazur").parse(name_or_key)
    except SpecError:
        return Namer(network, "layered").parse(name_or_key)
