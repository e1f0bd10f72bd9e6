"""Names, numbers and documents checked against expected strings written here, not against themselves.

The LaTeX and plain name of every kind of quantity in both notations; numbers never printed as
``-0``; the result JSON strict (no ``Infinity``); the LaTeX handout with no unescaped special
character outside math; the divergence sentence naming the epoch the run diverged at; every
preset and a random example of every bias mode surviving the JSON round trip; the editor's parser
refusing ``nan``. (Survivors of a mutation-testing run: see the README's "Tests" section.)
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import pytest
import sympy as sp

from backprop_tutor import (
    PRESETS,
    Bias,
    Delta,
    ErrorAfter,
    ErrorTerm,
    Example,
    LearningRate,
    Namer,
    Net,
    Network,
    Out,
    Partial,
    SpecError,
    Target,
    TotalError,
    Updated,
    Weight,
    example_from_dict,
    example_to_dict,
    preset,
    train,
)
from backprop_tutor.core.parameters import BIAS_MODES
from backprop_tutor.core.registry import softmax
from backprop_tutor.teaching.formatting import Printers, fmt, latex_escape, product, tex_number
from backprop_tutor.teaching.random_examples import random_example
from backprop_tutor.teaching.render import render, result_json
from backprop_tutor.teaching.walkthrough import walkthrough
from backprop_tutor.views.widgets.parsing import parse_matrices, parse_numbers, parse_rows

E = TotalError()
NET_222 = Network((2, 2, 2), ("sigmoid", "sigmoid"))
NET_PER_NEURON = Network((2, 2, 2), ("sigmoid", "sigmoid"), bias="per_neuron")
NET_DEEP = Network((2, 3, 2, 2), ("sigmoid", "sigmoid", "sigmoid"), bias="per_neuron")
NET_WIDE = Network((10, 2), ("sigmoid",))

# (network, key, Mazur tex, Mazur text, layered tex, layered text)
NAMES = [
    (NET_222, Out(0, 1), "i_{2}", "i2", "x_{2}", "x2"),
    (NET_222, Weight(1, 0, 1), "w_{2}", "w2", "w^{(2)}_{12}", "w12_2"),
    (NET_222, Weight(1, 1, 0), "w_{3}", "w3", "w^{(2)}_{21}", "w21_2"),
    (NET_222, Weight(2, 1, 0), "w_{7}", "w7", "w^{(3)}_{21}", "w21_3"),
    (NET_222, Bias(2), "b_{2}", "b2", "b^{(3)}", "b_3"),
    (NET_PER_NEURON, Bias(1, 1), "b_{h2}", "b_h2", "b^{(2)}_{2}", "b2_2"),
    (NET_222, Net(1, 1), r"\mathrm{net}_{h2}", "net_h2", "z^{(2)}_{2}", "z2_2"),
    (NET_222, Out(2, 0), r"\mathrm{out}_{o1}", "out_o1", "a^{(3)}_{1}", "a1_3"),
    (NET_222, Delta(2, 1), r"\delta_{o2}", "delta_o2", r"\delta^{(3)}_{2}", "delta2_3"),
    (NET_222, Target(1), r"\mathrm{target}_{o2}", "target_o2", "y_{2}", "y2"),
    (NET_222, ErrorTerm(0), "E_{o1}", "E_o1", "E_{1}", "E_1"),
    (NET_222, E, r"E_{\mathrm{total}}", "E_total", "E", "E"),
    (NET_222, LearningRate(), r"\eta", "eta", r"\eta", "eta"),
    (NET_222, Partial(E, Weight(2, 0, 1)), r"\frac{\partial E_{\mathrm{total}}}{\partial w_{6}}", "dE_total/dw6",
     r"\frac{\partial E}{\partial w^{(3)}_{12}}", "dE/dw12_3"),
    (NET_222, Partial(Out(1, 0), Net(1, 0)), r"\frac{\partial \mathrm{out}_{h1}}{\partial \mathrm{net}_{h1}}",
     "dout_h1/dnet_h1",
     r"\frac{\partial a^{(2)}_{1}}{\partial z^{(2)}_{1}}", "da1_2/dz1_2"),
    (NET_222, Updated(Weight(1, 1, 1)), "{w_{4}}^{+}", "w4+", "{w^{(2)}_{22}}^{+}", "w22_2+"),
    (NET_222, ErrorAfter(), r"{E_{\mathrm{total}}}^{+}", "E_total+", "{E}^{+}", "E+"),
    (NET_DEEP, Out(1, 0), r"\mathrm{out}_{h^{(1)}_{1}}", "out_h1_1", "a^{(2)}_{1}", "a1_2"),
    (NET_DEEP, Net(2, 1), r"\mathrm{net}_{h^{(2)}_{2}}", "net_h2_2", "z^{(3)}_{2}", "z2_3"),
    (NET_DEEP, Bias(2, 0), "b_{h^{(2)}_{1}}", "b_h2_1", "b^{(3)}_{1}", "b1_3"),
    (NET_DEEP, Weight(2, 1, 2), "w_{12}", "w12", "w^{(3)}_{23}", "w23_3"),
    (NET_DEEP, Weight(3, 0, 1), "w_{14}", "w14", "w^{(4)}_{12}", "w12_4"),
    (NET_DEEP, Out(3, 1), r"\mathrm{out}_{o2}", "out_o2", "a^{(4)}_{2}", "a2_4"),
    (NET_WIDE, Weight(1, 1, 9), "w_{20}", "w20", "w^{(2)}_{2,10}", "w2,10_2"),
]


@pytest.mark.parametrize("network, key, mazur_tex, mazur_text, layered_tex, layered_text", NAMES,
                         ids=[f"{n.layers}-{k!r}" for n, k, *_ in NAMES])
def test_names_pinned_in_both_notations(network, key, mazur_tex, mazur_text, layered_tex, layered_text):
    mazur, layered = Namer(network, "mazur"), Namer(network, "layered")
    assert (mazur.tex(key), mazur.text(key)) == (mazur_tex, mazur_text)
    assert (layered.tex(key), layered.text(key)) == (layered_tex, layered_text)
    assert mazur.parse(mazur_text) == key and layered.parse(layered_text) == key


def test_neuron_names_pinned():
    assert [Namer(NET_DEEP).neuron(l, 0) for l in range(4)] == ["i1", "h1_1", "h2_1", "o1"]
    assert Namer(NET_DEEP, "layered").neuron(2, 1) == "2 in layer 3"


# --- numbers ----------------------------------------------------------------------------------

def test_fmt_never_prints_negative_zero():
    import numpy as np

    for zero in (-0.0, np.float64(-0.0), -1e-320 * 0):
        assert fmt(zero) == "0"
        assert tex_number(zero) == "0"
    assert fmt(-1e-12) == "-1e-12" and fmt(-0.5) == "-0.5"
    assert tex_number(1.5e-05) == r"1.5 \times 10^{-5}"
    assert (fmt(float("inf")), fmt(float("-inf")), fmt(float("nan")), fmt(None)) == ("inf", "-inf", "nan", "-")
    assert (tex_number(float("inf")), tex_number(float("-inf")), tex_number(float("nan"))) == (
        r"\infty", r"-\infty", r"\mathrm{NaN}")
    assert fmt(0.5932699921071872) == "0.593269992" and fmt(3) == "3"
    assert fmt(123456789012) == "123456789012" and fmt(True) == "1"   # whole numbers print whole


NEGATIVE_ZERO = re.compile(r"(?<![\w.])-0(?![.\d]|\s*\\times)")


def _blocked_relu() -> Example:
    """A ReLU hidden neuron with a negative net input: its output, slope and gradients are 0 (some -0.0)."""
    net = Network((2, 2, 1), ("relu", "linear"), bias="none")
    return Example(net, [[[-0.5, -0.25], [0.4, 0.3]], [[0.7, -0.6]]], [], [[0.5, 1.0]], [[2.0]])


@pytest.mark.parametrize("notation", ["mazur", "layered"])
def test_blocked_relu_walkthrough_never_prints_negative_zero(notation):
    example = _blocked_relu()
    walk = walkthrough(example, notation)
    zeros = [s for s in walk if s.value is not None and s.value == 0.0]
    assert zeros, "the example must have steps whose value is 0"
    for fmt_name in ("text", "markdown", "latex"):
        text = render(walk, train(example.replace(epochs=3)), fmt_name)
        assert not NEGATIVE_ZERO.search(text), NEGATIVE_ZERO.search(text)


# --- the result JSON ---------------------------------------------------------------------------

def _strict(constant):
    raise ValueError(f"not JSON: {constant}")


def test_result_json_is_strict_json_when_values_overflow():
    net = Network((2, 2, 2), ("sigmoid", "sigmoid"))
    example = Example(net, [[[1e308, 1e308], [1e308, 1e308]], [[1e308, 1e308], [1e308, 1e308]]], [0.35, 0.6],
                      [[1.0, 1.0]], [[0.01, 0.99]], epochs=3)
    training = train(example)
    text = render(walkthrough(example), training, "json")
    data = json.loads(text, parse_constant=_strict)
    assert None in data["first_step"]["net"][0]           # inf was written as null
    assert data == json.loads(json.dumps(result_json(training), allow_nan=False))


# --- divergence ------------------------------------------------------------------------------------

def test_divergence_sentence_names_the_epoch():
    seed = preset("seed")
    linear = Network((2, 2, 2), ("linear", "linear"))
    example = seed.replace(network=linear, learning_rate=50.0, epochs=100)
    training = train(example)
    assert training.diverged_at is not None and 1 <= training.diverged_at < 100
    walk = walkthrough(example)
    at = training.diverged_at
    expected = (f"Training at learning rate 50 diverged at epoch {at} of 100 (the loss or a weight became inf or nan); "
                f"the values below are the last finite ones, after epoch {at - 1}:")
    for fmt_name in ("text", "markdown"):
        assert expected in render(walk, training, fmt_name)
    assert latex_escape(expected) in render(walk, training, "latex")
    assert json.loads(render(walk, training, "json"))["diverged_at"] == at
    # One sample: no "sample 1:" prefix; two outputs: both, in order, with their targets.
    assert re.search(r"\noutputs [-\d.e+]+ \(target 0\.01\), [-\d.e+]+ \(target 0\.99\)\n", render(walk, training))


# --- LaTeX escaping --------------------------------------------------------------------------------

_MATH = re.compile(r"\\\[.*?\\\]|\$.*?\$", re.S)
_UNESCAPED = re.compile(r"(?<!\\)[_^%&#]")


def _text_outside_math(document: str) -> str:
    return _MATH.sub(" ", document)


@pytest.mark.parametrize("notation", ["mazur", "layered"])
def test_latex_handout_has_no_unescaped_special_character_outside_math(notation):
    example = preset("seed").replace(name="net_1 ^2 at 50% & #1", description="w_1 & b_2: 100% of #3 ^ up",
                                     epochs=5)
    document = render(walkthrough(example, notation), train(example), "latex")
    outside = _text_outside_math(document)
    assert not _UNESCAPED.search(outside), outside[max(0, _UNESCAPED.search(outside).start() - 60):][:120]
    assert r"net\_1 \textasciicircum{}2 at 50\% \& \#1" in document


def test_latex_escape_pinned():
    assert latex_escape("a_b^c%d&e#f$g{h}i\\j~k") == (
        r"a\_b\textasciicircum{}c\%d\&e\#f\$g\{h\}i\textbackslash{}j\textasciitilde{}k")
    assert latex_escape("η·δ − ½ ∂E") == r"$\eta$$\cdot$$\delta$ $-$ $\frac{1}{2}$ $\partial$E"
    assert latex_escape("é") == "?"


# --- example files ---------------------------------------------------------------------------------

def _assert_round_trip(example: Example) -> None:
    data = example_to_dict(example)
    back = example_from_dict(json.loads(json.dumps(data)))
    assert back == example
    assert back.description == example.description
    assert back.network == example.network and back.network.train_bias == example.network.train_bias
    assert example_to_dict(back) == data


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_round_trips(name):
    _assert_round_trip(preset(name))


@pytest.mark.parametrize("bias", BIAS_MODES)
def test_random_example_of_every_bias_mode_round_trips(bias):
    example = random_example(3, sizes=(2, 3, 2), bias=bias, loss="mse")
    _assert_round_trip(example)
    network = dataclasses.replace(example.network, train_bias=False)
    _assert_round_trip(example.replace(network=network, update="batch", epochs=7, learning_rate=0.3,
                                       name="changed", description="every field changed"))


# --- the editor's parser ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "Infinity", "0.5, nan", "1e400"])
def test_parser_refuses_non_finite_numbers(text):
    with pytest.raises(SpecError, match="finite"):
        parse_numbers(text, "inputs")
    with pytest.raises(SpecError):
        parse_rows(f"0.1, 0.2\n{text}", "weights")
    with pytest.raises(SpecError):
        parse_matrices(f"0.1\n\n{text}", "weights")


def test_parser_reads_numbers():
    assert parse_numbers(" 0.15, 0.2  -3e-2 ", "inputs") == [0.15, 0.2, -0.03]


# --- the rendered documents, pinned --------------------------------------------------------------
# tests/expected/tiny_net.*: one sigmoid neuron (w1 = 0.5, b1 = 0.25), two samples, two epochs.
# Checked by hand: net_o1 = 0.5·1 + 0.25 = 0.75, out_o1 = 1/(1 + e^-0.75) = 0.679178699,
# E_o1 = (0.75 - 0.679178699)²/2 = 0.00250782833, δ_o1 = (out - target)·out·(1 - out) = -0.0154316069.
EXPECTED = Path(__file__).resolve().parent / "expected"


def _tiny() -> Example:
    net = Network((1, 1), ("sigmoid",), bias="shared")
    return Example(net, [[[0.5]]], [0.25], [[1.0], [-2.0]], [[0.75], [0.25]], learning_rate=0.5, epochs=2,
                   name="tiny_net", description="One input, one output.")


@pytest.mark.parametrize("fmt_name, suffix", [("text", "txt"), ("markdown", "md"), ("latex", "tex")])
def test_rendered_document_pinned(fmt_name, suffix):
    example = _tiny()
    expected = (EXPECTED / f"tiny_net.{suffix}").read_text("utf-8")
    assert render(walkthrough(example), train(example), fmt_name) == expected


def test_rendered_json_pinned():
    example = _tiny()
    data = json.loads(render(walkthrough(example), train(example), "json"), parse_constant=_strict)
    assert sorted(data) == ["diverged_at", "epochs", "example", "final", "first_step", "learning_rate", "loss_history"]
    assert (data["example"], data["learning_rate"], data["epochs"], data["diverged_at"]) == ("tiny_net", 0.5, 2, None)
    first = data["first_step"]
    assert sorted(first) == ["biases", "delta", "grad_biases", "grad_weights", "loss", "net", "out", "weights"]
    out = 1 / (1 + math.exp(-0.75))
    delta = (out - 0.75) * out * (1 - out)
    assert first["net"] == [[0.75]]
    assert first["out"] == [[pytest.approx(out, rel=1e-14)]]
    assert first["loss"] == pytest.approx((0.75 - out) ** 2 / 2, rel=1e-12)
    assert first["delta"] == [[pytest.approx(delta, rel=1e-12)]]
    assert first["grad_weights"] == [[[pytest.approx(delta, rel=1e-12)]]]
    assert first["grad_biases"] == [pytest.approx(delta, rel=1e-12)]
    assert first["weights"] == [[[pytest.approx(0.5 - 0.5 * delta, rel=1e-14)]]]
    assert first["biases"] == [pytest.approx(0.25 - 0.5 * delta, rel=1e-14)]
    training = train(example)
    assert data["loss_history"] == pytest.approx(training.loss_history, rel=1e-15) and len(data["loss_history"]) == 3
    assert data["final"] == {"weights": training.weights, "biases": training.biases,
                             "outputs": training.outputs, "loss": training.loss}


def test_render_refuses_unknown_formats():
    example = _tiny()
    walk = walkthrough(example)
    with pytest.raises(ValueError, match=r"^format: json needs a training run$"):
        render(walk, None, "json")
    with pytest.raises(ValueError, match=r"^format: expected one of text, markdown, latex, json; got 'pdf'$"):
        render(walk, train(example), "pdf")
    assert render(walk, None) == render(walk, None, "text")
    assert render(walk, None, "text").endswith("= 0.00227597691\n")   # no training section without a run
    assert "Training" not in render(walk, None, "markdown") and "itemize" not in render(walk, None, "latex")


def test_two_digit_neuron_names():
    network = Network((1, 12), ("sigmoid",))
    namer = Namer(network)
    assert namer.tex(Out(1, 11)) == r"\mathrm{out}_{o12}" and namer.neuron_tex(1, 11) == "o_{12}"
    assert namer.tex(Target(11)) == r"\mathrm{target}_{o12}" and namer.tex(Weight(1, 11, 0)) == "w_{12}"
    assert Namer(NET_DEEP).neuron_tex(2, 1) == "h^{(2)}_{2}" and Namer(NET_DEEP).neuron_tex(0, 1) == "i_{2}"


@pytest.mark.parametrize("notation", ["mazur", "layered"])
def test_a_key_without_a_name_is_refused(notation):
    namer = Namer(NET_222, notation)
    for method in (namer._mazur_tex, namer._mazur_text, namer._layered_tex, namer._layered_text):
        with pytest.raises(KeyError) as caught:
            method(LearningRate())
        assert caught.value.args == (LearningRate(),)


def test_tex_number_digits():
    assert tex_number(0.123456789123, 3) == "0.123" and fmt(0.123456789123, 3) == "0.123"
    assert tex_number(-1.5e-12, 2) == r"-1.5 \times 10^{-12}"


def test_rendered_json_layout_and_divergence_at_the_first_epoch():
    example = _tiny()
    text = render(walkthrough(example), train(example), "json")
    assert text.startswith('{\n  "example": "tiny_net",\n  "learning_rate": 0.5,\n  "epochs": 2,\n')
    assert text.endswith("}\n")
    linear = preset("seed").replace(network=Network((2, 2, 2), ("linear", "linear")), learning_rate=1e300, epochs=10)
    training = train(linear)
    assert training.diverged_at == 1
    assert ("diverged at epoch 1 of 10 (the loss or a weight became inf or nan); the values below are the last "
            "finite ones, after epoch 0:") in render(walkthrough(linear), training, "text")


def test_product_and_total_keep_their_order_and_a_single_factor_alone():
    import sympy as sp

    from backprop_tutor.teaching.formatting import product, total

    x, y = sp.symbols("y x")   # y sorts after x: SymPy's own order would swap them
    assert product(x) is x and total(y) is y
    assert product(x, y).args == (x, y) and total(x, y).args == (x, y)


def test_a_softmax_exponent_that_starts_and_ends_with_brackets_keeps_its_own():
    """exp((-0.5)*(-0.5)) is e^0.25; written exp(-0.5)*(-0.5) it would read as e^-0.5 times -0.5."""
    w, a, b = sp.symbols("w a b")
    printers = Printers({}, {w: "w5", a: "out_h1", b: "net_o2"}, {w: -0.5, a: -0.5, b: 1.5})
    assert printers.text_numbers(softmax(0, product(w, a), b)) == \
        "exp((-0.5)*(-0.5))/(exp((-0.5)*(-0.5)) + exp(1.5))"
    # One bracketed number still takes no second pair.
    assert printers.text_numbers(softmax(1, a, b)) == "exp(1.5)/(exp(-0.5) + exp(1.5))"
