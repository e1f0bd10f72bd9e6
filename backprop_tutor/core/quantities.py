"""Typed keys for every quantity of a network: a weight, a net input, a delta, a partial derivative.

Each key is a small named type, so code and messages read ``Net(1, 0)`` or
``Partial(TotalError(), Weight(2, 0, 0))`` instead of ``("z", 1, 0)`` or
``("d", ("E",), ("w", 2, 0, 0))``. Indices count from 0; layer 0 is the input layer, so input k
is ``Out(0, k)``. The printed names in either notation (w5, net_h1, w11_2, dE/dw5) are the
teaching layer's job (notation.py); this module holds only the structure.

A key is a tuple underneath, tagged with its kind, so it hashes and compares equal to the
plain tuple it replaces: ``Net(1, 0) == ("z", 1, 0)``. That keeps dictionaries keyed by either
interchangeable, and :func:`as_quantity` turns a plain tuple back into its typed key.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "Bias",
    "Delta",
    "ErrorAfter",
    "ErrorTerm",
    "LearningRate",
    "Net",
    "Out",
    "Parameter",
    "Partial",
    "Quantity",
    "Target",
    "TotalError",
    "Updated",
    "Weight",
    "as_quantity",
    "derivative_of",
    "gradient",
    "is_parameter",
    "renamed",
]


class Quantity(tuple):
    """A quantity key: a tuple ``(kind, *fields)`` with named fields."""

    __slots__ = ()
    kind: ClassVar[str] = ""
    fields: ClassVar[tuple[str, ...]] = ()

    def __new__(cls, *args: Any):
        if len(args) != len(cls.fields):
            raise TypeError(f"{cls.__name__} takes {len(cls.fields)} fields ({', '.join(cls.fields)}), got {len(args)}")
        return tuple.__new__(cls, (cls.kind, *args))

    def __getnewargs__(self):
        return tuple(self[1:])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(v) for v in self[1:])})"


class _Neuron(Quantity):
    __slots__ = ()
    fields = ("layer", "neuron")

    @property
    def layer(self) -> int:
        """The layer, 0 for the inputs."""
        return self[1]

    @property
    def neuron(self) -> int:
        """The neuron's index in its layer, from 0."""
        return self[2]

    @property
    def node(self) -> tuple[int, int]:
        """The diagram node ``(layer, neuron)`` this quantity belongs to."""
        return (self[1], self[2])


class Net(_Neuron):
    """The net input of a neuron (Mazur's net_h1, the layered z)."""

    __slots__ = ()
    kind = "z"


class Out(_Neuron):
    """The output of a neuron (out_h1, a); ``Out(0, k)`` is input k."""

    __slots__ = ()
    kind = "a"

    @property
    def is_input(self) -> bool:
        """Whether this is a network input (layer 0)."""
        return self[1] == 0


class Delta(_Neuron):
    """A neuron's delta: ∂E/∂net, named δ."""

    __slots__ = ()
    kind = "delta"


class Weight(Quantity):
    """The weight from neuron ``source`` of layer ``layer - 1`` to neuron ``target`` of ``layer``."""

    __slots__ = ()
    kind = "w"
    fields = ("layer", "target", "source")

    @property
    def layer(self) -> int:
        return self[1]

    @property
    def target(self) -> int:
        return self[2]

    @property
    def source(self) -> int:
        return self[3]


class Bias(Quantity):
    """The bias into layer ``layer``: shared by the layer (``neuron`` None) or one neuron's own."""

    __slots__ = ()
    kind = "b"
    fields = ("layer", "neuron")

    def __new__(cls, layer: int, neuron: int | None = None):
        return tuple.__new__(cls, ("b", layer) if neuron is None else ("b", layer, neuron))

    def __getnewargs__(self):
        return (self[1], self.neuron)

    @property
    def layer(self) -> int:
        return self[1]

    @property
    def neuron(self) -> int | None:
        """The neuron it feeds, or None for a bias shared by the whole layer."""
        return self[2] if len(self) == 3 else None

    @property
    def shared(self) -> bool:
        return len(self) == 2


class Target(Quantity):
    """The target of output neuron ``neuron``."""

    __slots__ = ()
    kind = "t"
    fields = ("neuron",)

    @property
    def neuron(self) -> int:
        return self[1]


class ErrorTerm(Quantity):
    """One output's share of the error (E_o1)."""

    __slots__ = ()
    kind = "Eo"
    fields = ("neuron",)

    @property
    def neuron(self) -> int:
        return self[1]


class TotalError(Quantity):
    """The error of one sample, summed over the outputs (E_total)."""

    __slots__ = ()
    kind = "E"


class ErrorAfter(Quantity):
    """The same sample's error after one update."""

    __slots__ = ()
    kind = "E_after"


class LearningRate(Quantity):
    """The learning rate η."""

    __slots__ = ()
    kind = "eta"


class Partial(Quantity):
    """The partial derivative ∂of/∂wrt."""

    __slots__ = ()
    kind = "d"
    fields = ("of", "wrt")

    @property
    def of(self) -> Quantity:
        return self[1]

    @property
    def wrt(self) -> Quantity:
        return self[2]


class Updated(Quantity):
    """A parameter's value after one gradient-descent step (w5⁺)."""

    __slots__ = ()
    kind = "new"
    fields = ("param",)

    @property
    def param(self) -> Parameter:
        return self[1]


Parameter = Weight | Bias

_KINDS = {cls.kind: cls for cls in (Net, Out, Delta, Weight, Bias, Target, ErrorTerm, TotalError, ErrorAfter,
                                    LearningRate, Partial, Updated)}


def as_quantity(key: Any) -> Quantity:
    """The typed key of a plain tuple key such as ``("z", 1, 0)``; a typed key is returned as it is."""
    if isinstance(key, Quantity):
        return key
    if not isinstance(key, tuple) or not key or key[0] not in _KINDS:
        raise KeyError(f"not a quantity key: {key!r}")
    cls = _KINDS[key[0]]
    if cls is Partial:
        return Partial(as_quantity(key[1]), as_quantity(key[2]))
    if cls is Updated:
        return Updated(as_quantity(key[1]))
    return cls(*key[1:])


def is_parameter(key: Any) -> bool:
    """Whether a key is a weight or a bias."""
    return isinstance(as_quantity(key), (Weight, Bias))


def gradient(param: Quantity) -> Partial:
    """The key of ∂E/∂param."""
    return Partial(TotalError(), param)


def renamed(key: Quantity) -> Quantity:
    """The key a quantity is shown under: ∂E/∂net is the delta δ; everything else keeps its key.

    This is the one place where the delta gets its name.
    """
    if isinstance(key, Partial) and isinstance(key.of, TotalError) and isinstance(key.wrt, Net):
        return Delta(key.wrt.layer, key.wrt.neuron)
    return key


def derivative_of(key: Quantity) -> Quantity:
    """The inverse of :func:`renamed`: a delta is the partial derivative ∂E/∂net it names."""
    if isinstance(key, Delta):
        return Partial(TotalError(), Net(key.layer, key.neuron))
    return key
