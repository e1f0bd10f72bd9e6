"""Names and keys: typed quantity keys, printed names read back, and the parameter layout.

Typed keys (``Net(1, 0)``) must stay interchangeable with the plain tuples they replaced
(``("z", 1, 0)``); every name the tutorial prints must read back to its key in either
notation; and :class:`ParameterLayout` is the one owner of parameter order and bias mode.
"""

from __future__ import annotations

import builtins
import copy
import os
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_tutor import (
    BIAS_MODES,
    NOTATIONS,
    PRESETS,
    Bias,
    Delta,
    ErrorAfter,
    ErrorTerm,
    LearningRate,
    Namer,
    Net,
    Network,
    Out,
    ParameterLayout,
    Partial,
    SpecError,
    Target,
    TotalError,
    Updated,
    Weight,
    evaluate_step,
    preset,
    quantity,
)
from backprop_tutor.core import quantities
from backprop_tutor.core.quantities import Quantity, as_quantity, gradient, renamed

# Each typed key beside the plain tuple it replaces.
OLD_AND_NEW = [
    (Net(1, 0), ("z", 1, 0)),
    (Out(0, 1), ("a", 0, 1)),
    (Out(2, 1), ("a", 2, 1)),
    (Delta(2, 0), ("delta", 2, 0)),
    (Weight(2, 0, 1), ("w", 2, 0, 1)),
    (Bias(1), ("b", 1)),
    (Bias(2, 1), ("b", 2, 1)),
    (Target(0), ("t", 0)),
    (ErrorTerm(1), ("Eo", 1)),
    (TotalError(), ("E",)),
    (ErrorAfter(), ("E_after",)),
    (LearningRate(), ("eta",)),
    (Partial(TotalError(), Weight(2, 0, 0)), ("d", ("E",), ("w", 2, 0, 0))),
    (Partial(Out(2, 0), Net(2, 0)), ("d", ("a", 2, 0), ("z", 2, 0))),
    (Updated(Bias(2)), ("new", ("b", 2))),
]


def _plain(key):
    """A typed key as the nested plain tuple the package used before."""
    return tuple(_plain(part) if isinstance(part, tuple) else part for part in key)


# --- typed keys -----------------------------------------------------------------------------------

@pytest.mark.parametrize("new, old", OLD_AND_NEW, ids=[repr(n) for n, _ in OLD_AND_NEW])
def test_typed_keys_equal_and_hash_like_the_old_tuples(new, old):
    """Net(1, 0) == ("z", 1, 0), with the same hash: a dict keyed by either finds the other."""
    assert new == old and old == new
    assert hash(new) == hash(old)
    assert {old: "value"}[new] == "value" and {new: "value"}[old] == "value"
    assert _plain(new) == old and type(_plain(new)) is tuple
    assert as_quantity(old) == new and type(as_quantity(old)) is type(new)


def test_keys_of_different_kinds_differ():
    """The kind tag keeps a net input, an output and a delta of one neuron apart."""
    keys = [Net(1, 0), Out(1, 0), Delta(1, 0), Bias(1, 0), Target(0), ErrorTerm(0)]
    assert len(set(keys)) == len(keys)
    assert Bias(1) != Bias(1, 0)
    assert Partial(TotalError(), Net(2, 0)) != Delta(2, 0)  # renamed() is what joins them
    assert renamed(Partial(TotalError(), Net(2, 0))) == Delta(2, 0)


@pytest.mark.parametrize("name", PRESETS)
def test_as_quantity_round_trips_every_key_of_a_step(name):
    """Each key evaluate_step produces is typed, and as_quantity of its plain tuple gives it back."""
    values = evaluate_step(preset(name)).values
    assert len(values) > 20
    for key in values:
        assert isinstance(key, Quantity), key
        back = as_quantity(_plain(key))
        assert back == key and type(back) is type(key), key
        assert as_quantity(key) is key
        if isinstance(key, Partial):
            assert type(back.of) is type(key.of) and type(back.wrt) is type(key.wrt)


@pytest.mark.parametrize("new, old", OLD_AND_NEW, ids=[repr(n) for n, _ in OLD_AND_NEW])
def test_repr_reads_as_names_and_round_trips(new, old):
    """repr(key) is the constructor call that builds it: Partial(TotalError(), Weight(2, 0, 0))."""
    text = repr(new)
    assert text.startswith(type(new).__name__ + "(") and "'" not in text
    assert eval(text, vars(quantities)) == new  # noqa: S307 (our own repr, read back in the test)
    assert pickle.loads(pickle.dumps(new)) == new and type(copy.deepcopy(new)) is type(new)


def test_repr_examples():
    assert repr(Partial(TotalError(), Weight(2, 0, 0))) == "Partial(TotalError(), Weight(2, 0, 0))"
    assert repr(Bias(1)) == "Bias(1)" and repr(Bias(1, 0)) == "Bias(1, 0)"
    assert repr(Updated(Weight(1, 0, 0))) == "Updated(Weight(1, 0, 0))"


def test_keys_check_their_fields_and_as_quantity_refuses_non_keys():
    with pytest.raises(TypeError, match="Net takes 2 fields"):
        Net(1)
    for bad in [("zz", 1, 0), (), "z", None, ("d", ("E",), ("nope",))]:
        with pytest.raises(KeyError):
            as_quantity(bad)


# --- names back to keys ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", PRESETS)
@pytest.mark.parametrize("notation", NOTATIONS)
def test_every_printed_name_reads_back_to_its_key(name, notation):
    """quantity(Namer.text(key)) == key (a δ's ∂E/∂net name and its δ name meet after renamed)."""
    example = preset(name)
    network = example.network
    namer = Namer(network, notation)
    keys = list(evaluate_step(example).values)
    wrong = []
    for key in keys:
        text = namer.text(key)
        got = quantity(text, network)
        if renamed(got) != renamed(key):
            wrong.append(f"{text!r} -> {got!r}, expected {key!r}")
        assert namer.parse(text) == got
    assert not wrong, "\n".join(wrong)
    # Every delta, under its own name too.
    for l in range(1, network.depth + 1):
        for j in range(network.layers[l]):
            assert quantity(namer.text(Delta(l, j)), network) == Delta(l, j)


# Layer sizes up to 9: the layered names write two indices side by side (w12_2).
@st.composite
def networks(draw, max_size=9):
    layers = draw(st.lists(st.integers(1, max_size), min_size=2, max_size=4))
    return Network(layers, ["sigmoid"] * (len(layers) - 1), bias=draw(st.sampled_from(BIAS_MODES)))


@settings(max_examples=30, deadline=None)
@given(networks(), st.sampled_from(NOTATIONS))
def test_names_read_back_on_any_network(network, notation):
    """On random shapes and bias modes, every name of every parameter and its gradient and update reads back."""
    namer = Namer(network, notation)  # one name table for the many names (quantity() builds one per call)
    keys = [key for param in network.parameters.keys for key in (param, gradient(param), Updated(param))]
    keys += [key for l in range(1, network.depth + 1) for j in range(network.layers[l])
             for key in (Net(l, j), Out(l, j), Delta(l, j))]
    for key in keys:
        assert namer.parse(namer.text(key)) == key, namer.text(key)
    for key in keys[:3] + keys[-3:]:
        assert quantity(namer.text(key), network) == key, namer.text(key)


def test_layered_weight_names_are_unambiguous_for_wide_layers():
    """With 11 neurons in a layer, the layered names of two different weights must differ."""
    network = Network([11, 11, 2], ["sigmoid", "sigmoid"])
    namer = Namer(network, "layered")
    names = [namer.text(key) for key in network.parameters.keys]
    assert len(set(names)) == len(names)
    assert quantity(namer.text(Weight(1, 10, 0)), network) == Weight(1, 10, 0)


SPELLINGS = [
    ("dE/dw5", gradient(Weight(2, 0, 0))),
    ("dE_total/dw5", gradient(Weight(2, 0, 0))),
    ("∂E/∂w5", gradient(Weight(2, 0, 0))),
    ("∂E_total/∂w5", gradient(Weight(2, 0, 0))),
    (" d E_total / d w5 ", gradient(Weight(2, 0, 0))),
    ("delta_o1", Delta(2, 0)),
    ("δ_o1", Delta(2, 0)),
    ("δ_h2", Delta(1, 1)),
    ("w7+", Updated(Weight(2, 1, 0))),
    ("w7⁺", Updated(Weight(2, 1, 0))),
    ("E_total+", ErrorAfter()),
    ("E_total", TotalError()),
    ("η", LearningRate()),
    ("eta", LearningRate()),
    ("net_h1", Net(1, 0)),
    ("out_o2", Out(2, 1)),
    ("i2", Out(0, 1)),
    ("b2", Bias(2)),
    ("dout_o1/dnet_o1", Partial(Out(2, 0), Net(2, 0))),
    # the layered notation, read by the same function
    ("w11_2", Weight(1, 0, 0)),
    ("w21_3", Weight(2, 1, 0)),
    ("z1_2", Net(1, 0)),
    ("a2_3", Out(2, 1)),
    ("x1", Out(0, 0)),
    ("dE/dw11_3", gradient(Weight(2, 0, 0))),
    ("δ1_3", Delta(2, 0)),
    ("w11_3+", Updated(Weight(2, 0, 0))),
    ("E+", ErrorAfter()),
]


@pytest.mark.parametrize("spelling, key", SPELLINGS, ids=[spelling.strip() for spelling, _ in SPELLINGS])
def test_spellings_and_aliases(spelling, key):
    """∂ for d, δ for delta, ⁺ for +, η for eta, spaces anywhere, and dE/dw5 for dE_total/dw5."""
    got = quantity(spelling, preset("seed").network)
    assert got == key and type(got) is type(key)


@pytest.mark.parametrize("name", ["w9", "net_h3", "dE/dw99", "delta_o3", "weight5", "", "W5", "w5 w6"])
def test_an_unknown_name_is_one_line_naming_the_field(name):
    with pytest.raises(SpecError) as caught:
        quantity(name, preset("seed").network)
    assert caught.value.field == "quantity"
    assert str(caught.value).startswith("quantity: ")
    assert "\n" not in str(caught.value) and repr(name) in str(caught.value)


@pytest.mark.parametrize("name", ["__import__('os').system('x')", "eval('1')", "w5 + w6", "2*w5", "sp.Symbol('w5')",
                                  "open('/dev/null')", "lambda: 0"])
def test_nothing_typed_is_evaluated(name, monkeypatch):
    """A name that is code just fails to parse: eval, exec and os.system are never reached."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"evaluated {name!r}")

    network = preset("seed").network
    with monkeypatch.context() as patched, pytest.raises(SpecError) as caught:
        for module, attribute in ((builtins, "eval"), (builtins, "exec"), (os, "system")):
            patched.setattr(module, attribute, refuse)
        quantity(name, network)
    assert caught.value.field == "quantity"


def test_a_key_that_is_not_a_quantity_is_refused_in_one_line():
    with pytest.raises(SpecError) as caught:
        quantity(("nope", 1), preset("seed").network)
    assert caught.value.field == "quantity" and "\n" not in str(caught.value)


# --- ParameterLayout -------------------------------------------------------------------------------

layer_sizes = st.lists(st.integers(1, 5), min_size=2, max_size=5)


@settings(max_examples=60, deadline=None)
@given(layer_sizes, st.sampled_from(BIAS_MODES), st.integers(0, 10_000))
def test_flatten_unflatten_round_trip(layers, bias, seed):
    """unflatten(flatten(w, b)) == (w, b) and flatten(unflatten(flat)) == flat, for every bias mode."""
    layout = ParameterLayout(tuple(layers), bias)
    weights, biases = layout.random(seed)
    flat = layout.flatten(weights, biases)
    assert len(flat) == len(layout) == len(layout.keys) == len(set(layout.keys))
    assert layout.unflatten(flat) == (weights, biases)
    numbers = [float(i) for i in range(len(layout))]
    assert layout.flatten(*layout.unflatten(numbers)) == numbers
    with pytest.raises(StopIteration):  # one number short
        layout.unflatten(numbers[:-1])


@settings(max_examples=60, deadline=None)
@given(layer_sizes, st.sampled_from(BIAS_MODES), st.integers(0, 10_000))
def test_named_agrees_with_flatten_order(layers, bias, seed):
    """named(w, b)[keys[i]] == flatten(w, b)[i]: the keys name the flat list in order."""
    layout = ParameterLayout(tuple(layers), bias)
    weights, biases = layout.random(seed)
    named = layout.named(weights, biases)
    assert set(named) == set(layout.keys)
    assert [named[key] for key in layout.keys] == layout.flatten(weights, biases)
    # Layer by layer: each layer's weights row by row, then its biases.
    for l in range(1, layout.depth + 1):
        assert layout.layer_keys(l) == [k for k in layout.keys if k.layer == l]
        assert all(isinstance(k, Bias) for k in layout.layer_keys(l)[layers[l - 1] * layers[l]:])
    if bias == "none":
        assert not any(isinstance(k, Bias) for k in layout.keys)


@settings(max_examples=40, deadline=None)
@given(layer_sizes)
def test_fed_by_and_bias_key(layers):
    """A shared bias feeds its whole layer, a neuron's own bias that neuron, a weight its target."""
    for bias in BIAS_MODES:
        layout = ParameterLayout(tuple(layers), bias)
        for l in range(1, layout.depth + 1):
            everyone = list(range(layers[l]))
            for j in everyone:
                key = layout.bias_key(l, j)
                expected = {"shared": Bias(l), "per_neuron": Bias(l, j), "none": None}[bias]
                assert key == expected
                if key is not None:
                    assert layout.fed_by(key) == (everyone if bias == "shared" else [j])
                for k in range(layers[l - 1]):
                    assert layout.fed_by(Weight(l, j, k)) == [j]


@pytest.mark.parametrize("bias", BIAS_MODES)
def test_random_is_reproducible(bias):
    layout = ParameterLayout((3, 4, 2), bias)
    assert layout.random(seed=7) == layout.random(seed=7)
    assert layout.random(seed=7) != layout.random(seed=8)
    assert layout.random(seed=7, scale=0.1) == layout.random(seed=7, scale=0.1)
    weights, _ = layout.random(seed=7, scale=0.1)
    assert all(abs(w) <= 0.1 for matrix in weights for row in matrix for w in row)


@pytest.mark.parametrize("name", PRESETS)
def test_example_flat_parameters_use_the_layout(name):
    example = preset(name)
    layout = example.network.parameters
    assert example.flat_parameters() == layout.flatten(example.weights, example.biases)
    assert layout.unflatten(example.flat_parameters())[0] == [[list(row) for row in m] for m in example.weights]
