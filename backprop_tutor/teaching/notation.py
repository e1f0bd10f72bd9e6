"""Names of every quantity in the two notations of the seed notebook.

Internally a quantity is a key, a small tuple with 0-based indices; layer 0 is the input layer:

    ("a", 0, k)     input k                  Mazur i1        layered x_1
    ("w", l, j, k)  weight k -> j into l     Mazur w1..w8    layered w^(l+1)_jk
    ("b", l)        shared bias of layer l   Mazur b1, b2    layered b^(l+1)
    ("b", l, j)     bias of neuron j         Mazur b_h1      layered b^(l+1)_j
    ("z", l, j)     net input                Mazur net_h1    layered z^(l+1)_j
    ("a", l, j)     output (activation)      Mazur out_h1    layered a^(l+1)_j
    ("t", j)        target                   Mazur target_o1 layered y_1
    ("Eo", j)       error term of output j   Mazur E_o1      layered E_1
    ("E",)          total error              Mazur E_total   layered E
    ("delta", l, j) dE/dz                    Mazur δ_o1      layered δ^(l+1)_j
    ("eta",)        learning rate            η
    ("d", of, wrt)  a partial derivative ∂of/∂wrt

Layered numbers layers from 1 at the inputs, as the seed's code does (w11_2, z1_2, a1_2).
"""

from __future__ import annotations

from ..core.spec import Network

__all__ = ["NOTATIONS", "Namer", "node_id"]

NOTATIONS = ("mazur", "layered")


def node_id(layer: int, neuron: int) -> str:
    """Notation-free id of a neuron, as views use it: 'L1N0' is neuron 0 of layer 1."""
    return f"L{layer}N{neuron}"


class Namer:
    """Gives each quantity key its LaTeX and plain-text name in one notation."""

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

    def _mazur_tex_neuron(self, layer: int, j: int) -> str:
        name = self.neuron(layer, j)  # only called in Mazur notation
        if "_" in name:  # a hidden neuron of a deeper net: h2_1 -> h^{(2)}_{1}
            letter_layer, index = name.split("_")
            return f"{letter_layer[0]}^{{({letter_layer[1:]})}}_{{{index}}}"
        return name

    def weight_number(self, l: int, j: int, k: int) -> int:
        """Mazur's number of the weight from neuron k of layer l-1 to neuron j of layer l."""
        return self._first_weight[l - 1] + j * self.network.layers[l - 1] + k + 1

    # -- names ---------------------------------------------------------------------------
    def tex(self, key: tuple) -> str:
        """LaTeX name of a quantity."""
        kind = key[0]
        if kind == "d":
            return r"\frac{\partial %s}{\partial %s}" % (self.tex(key[1]), self.tex(key[2]))
        if kind == "eta":
            return r"\eta"
        if self.notation == "layered":
            return self._layered_tex(key)
        return self._mazur_tex(key)

    def text(self, key: tuple) -> str:
        """Plain-text name of a quantity, as the seed's prose and code write it."""
        kind = key[0]
        if kind == "d":
            return f"d{self.text(key[1])}/d{self.text(key[2])}"
        if kind == "eta":
            return "eta"
        if self.notation == "layered":
            return self._layered_text(key)
        return self._mazur_text(key)

    def _mazur_tex(self, key):
        kind = key[0]
        if kind == "w":
            return f"w_{{{self.weight_number(*key[1:])}}}"
        if kind == "b":
            if len(key) == 2:
                return f"b_{{{key[1]}}}"
            return f"b_{{{self._mazur_tex_neuron(key[1], key[2])}}}"
        if kind == "a" and key[1] == 0:
            return f"i_{{{key[2] + 1}}}"
        if kind in ("z", "a", "delta"):
            prefix = {"z": "net", "a": "out", "delta": r"\delta"}[kind]
            return f"{prefix}_{{{self._mazur_tex_neuron(key[1], key[2])}}}"
        if kind == "t":
            return f"target_{{o{key[1] + 1}}}"
        if kind == "Eo":
            return f"E_{{o{key[1] + 1}}}"
        if kind == "E":
            return "E_{total}"
        raise KeyError(key)

    def _mazur_text(self, key):
        kind = key[0]
        if kind == "w":
            return f"w{self.weight_number(*key[1:])}"
        if kind == "b":
            return f"b{key[1]}" if len(key) == 2 else f"b_{self.neuron(key[1], key[2])}"
        if kind == "a" and key[1] == 0:
            return f"i{key[2] + 1}"
        if kind in ("z", "a", "delta"):
            prefix = {"z": "net", "a": "out", "delta": "delta"}[kind]
            return f"{prefix}_{self.neuron(key[1], key[2])}"
        if kind == "t":
            return f"target_o{key[1] + 1}"
        if kind == "Eo":
            return f"E_o{key[1] + 1}"
        if kind == "E":
            return "E_total"
        raise KeyError(key)

    def _layered_tex(self, key):
        kind = key[0]
        if kind == "w":
            l, j, k = key[1:]
            return f"w^{{({l + 1})}}_{{{j + 1}{k + 1}}}"
        if kind == "b":
            return f"b^{{({key[1] + 1})}}" + ("" if len(key) == 2 else f"_{{{key[2] + 1}}}")
        if kind == "a" and key[1] == 0:
            return f"x_{{{key[2] + 1}}}"
        if kind in ("z", "a", "delta"):
            letter = {"z": "z", "a": "a", "delta": r"\delta"}[kind]
            return f"{letter}^{{({key[1] + 1})}}_{{{key[2] + 1}}}"
        if kind == "t":
            return f"y_{{{key[1] + 1}}}"
        if kind == "Eo":
            return f"E_{{{key[1] + 1}}}"
        if kind == "E":
            return "E"
        raise KeyError(key)

    def _layered_text(self, key):
        kind = key[0]
        if kind == "w":
            l, j, k = key[1:]
            return f"w{j + 1}{k + 1}_{l + 1}"
        if kind == "b":
            return f"b_{key[1] + 1}" if len(key) == 2 else f"b{key[2] + 1}_{key[1] + 1}"
        if kind == "a" and key[1] == 0:
            return f"x{key[2] + 1}"
        if kind in ("z", "a", "delta"):
            return f"{kind}{key[2] + 1}_{key[1] + 1}"
        if kind == "t":
            return f"y{key[1] + 1}"
        if kind == "Eo":
            return f"E_{key[1] + 1}"
        if kind == "E":
            return "E"
        raise KeyError(key)
