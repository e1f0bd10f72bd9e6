"""SymPy at work: each activation's steps from its definition to its slope, and the softmax delta's
steps to out − target, every line checked by SymPy inside the package and again here."""

from __future__ import annotations

import pytest
import sympy as sp

from backprop_tutor import SpecError, derivation_steps, preset, show_derivation
from backprop_tutor.core import registry
from backprop_tutor.teaching.sympy_steps import activation_steps, softmax_delta_steps

X = sp.Symbol("x", real=True)


def test_sigmoid_starts_from_what_sp_diff_returns_and_ends_at_sigma_times_one_minus_sigma():
    steps = activation_steps("sigmoid")
    rhs = [line.rhs for line in steps.lines]
    assert rhs[1] == sp.diff(1 / (1 + sp.exp(-X)), X)       # what sp.diff returns, as it returns it
    assert steps.lines[1].code == "sp.diff(f, x)"
    sigma = sp.Function("sigma")(X)
    assert sp.simplify(rhs[-1].doit() - sigma * (1 - sigma)) == 0
    assert len(steps.lines) >= 5                              # the rewriting is shown, one move at a time
    text = steps.markdown()
    assert r"\sigma{\left(x \right)} \cdot \left(1 - \sigma{\left(x \right)}\right)" in text
    assert r"\frac{e^{- x}}{\left(1 + e^{- x}\right)^{2}}" in text


def test_tanh_ends_at_one_minus_tanh_squared():
    steps = activation_steps("tanh")
    assert sp.simplify(steps.lines[-1].rhs.doit() - (1 - sp.tanh(X) ** 2)) == 0
    assert r"1 - \tanh^{2}{\left(x \right)}" in steps.markdown()


@pytest.mark.parametrize("name", [n for n, e in registry.ACTIVATIONS.items() if not e.coupled])
def test_every_line_equals_the_derivative(name):
    """An independent check of the package's own: each line minus d/dx of the definition is 0."""
    steps = activation_steps(name)
    definition = steps.lines[0].rhs.doit()
    slope = sp.diff(definition, X)
    named = steps.lines[0].lhs
    for line in steps.lines[1:]:
        value = line.rhs.doit().subs(named, definition)
        assert sp.simplify((value - slope).rewrite(sp.exp)) == 0, line.sentence


def test_a_wrong_step_fails_loudly(monkeypatch):
    from backprop_tutor.teaching import sympy_steps

    wrong = lambda x: [sympy_steps.Line("a slip", None, sp.Function("sigma")(x) ** 2)]  # noqa: E731
    monkeypatch.setitem(sympy_steps._MIDDLE, "sigmoid", wrong)
    with pytest.raises(AssertionError, match="a slip"):
        activation_steps("sigmoid")


def test_softmax_delta_reduces_to_out_minus_target():
    steps = softmax_delta_steps("softmax")
    text = steps.markdown()
    # The delta as the derivation gives it, then the named step.
    assert (r"\delta_{o1} = \mathrm{out}_{o1} \cdot \mathrm{target}_{o2} + \mathrm{out}_{o1} \cdot "
            r"\mathrm{target}_{o3} - \mathrm{target}_{o1} \cdot \left(1 - \mathrm{out}_{o1}\right)") in text
    assert "The targets sum to 1" in text
    assert text.split("$$")[-2].endswith(r"\mathrm{out}_{o1} - \mathrm{target}_{o1}")
    for line in steps.lines[1:-1]:
        assert line.code.startswith("sp.")


@pytest.mark.parametrize("neuron", [0, 1, 2])
def test_softmax_delta_of_every_output_and_the_layered_names(neuron):
    steps = softmax_delta_steps(preset("softmax"), neuron, "layered")
    assert steps.markdown().split("$$")[-2].endswith(rf"a^{{(3)}}_{{{neuron + 1}}} - y_{{{neuron + 1}}}")


def test_the_displays_and_the_dispatch():
    assert derivation_steps("sigmoid").title.startswith("The slope of sigmoid")
    assert derivation_steps("softmax").title.startswith("The delta of output o1")
    shown = show_derivation("tanh")
    assert shown.data.startswith("**The slope of tanh")


@pytest.mark.parametrize("call, field", [
    (lambda: activation_steps("swish"), "activation"),
    (lambda: activation_steps("softmax"), "activation"),
    (lambda: softmax_delta_steps("mazur"), "loss"),
    (lambda: softmax_delta_steps("softmax", neuron=3), "neuron"),
    (lambda: softmax_delta_steps("softmax", neuron=True), "neuron"),
    (lambda: derivation_steps(42), "example"),
])
def test_bad_input_is_one_line_naming_the_field(call, field):
    with pytest.raises(SpecError) as caught:
        call()
    assert str(caught.value).startswith(field) and "\n" not in str(caught.value)



@pytest.mark.parametrize("what", ["sigmoid", "tanh", "relu", "linear", "softmax"])
def test_the_display_text_is_for_students(what):
    from test_student_text import problems

    assert not problems(show_derivation(what).data)
