"""The matrix form: NumPy's products of matrices assembled from the scalar values equal the scalar
values, on every preset and on random networks; each entry names its scalar quantity; the display
and the widget show the package's numbers."""

from __future__ import annotations

import numpy as np
import pytest
from see_it_networks import random_networks

from backprop_tutor import (
    PRESETS,
    Bias,
    Delta,
    Net,
    Out,
    Partial,
    SpecError,
    TotalError,
    Weight,
    evaluate_step,
    matrix_form,
    preset,
    show_matrix_form,
    walkthrough,
)
from backprop_tutor.core.quantities import gradient
from backprop_tutor.teaching.matrix_text import matrix_markdown

TOLERANCE = 1e-12


def _check_against_scalars(form):
    """Every equation's product equals the scalars of its left-hand side, and every entry is its key's value."""
    step = form.walk.values
    for equation in form.equations():
        lhs = equation.lhs
        scalars = np.array([[step[k] for k in row] for row in lhs.keys])
        assert np.array_equal(lhs.values, scalars)
        scale = max(1.0, float(np.max(np.abs(scalars))))
        assert np.max(np.abs(equation.product - scalars)) <= TOLERANCE * scale, (equation.lhs.symbol, equation.layer)
    assert form.largest_difference <= TOLERANCE


@pytest.mark.parametrize("name", PRESETS)
def test_products_equal_the_scalar_values_on_every_preset(name):
    _check_against_scalars(matrix_form(name))


@pytest.mark.parametrize("example", random_networks(25), ids=lambda e: "-".join(map(str, e.network.layers)) + "-"
                         + "-".join(e.network.activations) + f"-{e.network.loss}-{e.network.bias}")
def test_products_equal_the_scalar_values_on_random_networks(example):
    _check_against_scalars(matrix_form(example))


def test_the_random_networks_cover_every_kind():
    nets = [e.network for e in random_networks(25)]
    assert {a for n in nets for a in n.activations} >= {"sigmoid", "tanh", "relu", "linear", "softmax"}
    assert {n.bias for n in nets} == {"shared", "per_neuron", "none"}
    assert {n.depth for n in nets} >= {1, 2, 3}


def test_mazur_shapes_and_entry_keys():
    form = matrix_form("mazur")
    out = form.layer(3)
    assert out.number == 3 and out.layer == 2
    assert out.weights.shape == (2, 2) and out.previous.shape == (2, 1) and out.weight_gradients.shape == (2, 2)
    assert out.weights.key(0, 1) == Weight(2, 0, 1)                      # w6: into o1, from h2
    assert out.previous.key(1, 0) == Out(1, 1)
    assert out.deltas.key(1, 0) == Delta(2, 1)
    assert out.weight_gradients.key(1, 0) == gradient(Weight(2, 1, 0))    # dE/dw7
    assert out.slopes.key(0, 0) == Partial(Out(2, 0), Net(2, 0))
    assert out.biases.keys == ((Bias(2),), (Bias(2),))                    # the shared bias, once per neuron
    assert out.bias_gradients.key(0, 0) == gradient(Bias(2))
    hidden = form.layer(2)
    assert hidden.error_by_output.key(0, 0) == Partial(TotalError(), Out(1, 0))
    # An entry traced back to its scalar step: the walkthrough computes exactly that quantity.
    walk = form.walk
    key = out.weight_gradients.key(0, 0)
    assert walk.step_for(key).value == evaluate_step(preset("mazur"))[key]


def test_softmax_uses_its_jacobian():
    out = matrix_form("softmax").layer(3)
    assert out.coupled and out.slopes.shape == (3, 3)
    assert out.slopes.key(0, 2) == Partial(Out(2, 0), Net(2, 2))
    delta = next(e for e in out.equations if e.lhs is out.deltas)
    assert delta.terms[0][1].shape == (3, 3) and delta.terms[1][0] == ""   # J^T times ∂E/∂a, a matrix product


def test_the_display_shows_shapes_names_and_the_packages_numbers():
    walk = walkthrough(preset("mazur"))
    text = matrix_markdown(matrix_form(walk), layer=3, part="gradient")
    assert r"\underset{2 \times 2}{\frac{\partial E}{\partial W^{(3)}}}" in text
    assert r"\begin{bmatrix}\delta_{o1} \\ \delta_{o2}\end{bmatrix}" in text
    value = walk.step_for("dE_total/dw5").value
    assert f"{value:.6g}" in text
    assert "What is the gradient of every weight" in text
    assert "What are the net inputs" not in text
    layered = show_matrix_form("mazur", layer=2, part="forward", notation="layered").data
    assert r"w^{(2)}_{11}" in layered and "(2 × 2)(2 × 1) + (2 × 1) gives 2 × 1" in layered
    everything = show_matrix_form("softmax").data
    assert "Jacobian" in everything
    assert everything.index("net inputs of layer 2") < everything.index("net inputs of layer 3") \
        < everything.index("deltas of layer 3") < everything.index("deltas of layer 2")


@pytest.mark.parametrize("call, field", [
    (lambda: matrix_form("mazur").layer(4), "layer"),
    (lambda: matrix_form("mazur").layer(1), "layer"),
    (lambda: matrix_form("mazur").equations(part="backward"), "part"),
    (lambda: matrix_form(3.5), "example"),
    (lambda: matrix_form("mazur", sample=2), "sample"),
])
def test_bad_input_is_one_line_naming_the_field(call, field):
    with pytest.raises(SpecError) as caught:
        call()
    assert str(caught.value).startswith(field) and "\n" not in str(caught.value)


def test_matrix_view_shows_the_entry_and_its_scalar_step():
    from backprop_tutor import MatrixView, Tutorial

    t = Tutorial("mazur")
    view = MatrixView(t, entry="w7")
    assert view.choice.value == Weight(2, 1, 0)
    assert r"\boxed{\frac{\partial E_{\mathrm{total}}}{\partial w_{7}}}" in view.body.value
    assert "Gradient for w7" in view.body.value
    step = t.walk.step_for(gradient(Weight(2, 1, 0)))
    assert step.value_tex in view.body.value
    labels = [label for label, _ in view.choice.options]
    assert len(labels) == 8 and labels[0].startswith("dE_total/dw5: row 1, column 1")
    view.choice.value = Weight(1, 0, 1)                                 # w2: layer 2, row 1, column 2
    assert "Gradient for w2" in view.body.value and r"\boxed{i_{2}}" in view.body.value
    t.notation = "layered"
    assert view.choice.value == Weight(1, 0, 1) and "w12_2" in view.body.value
    view.close()


@pytest.mark.parametrize("name", PRESETS)
def test_matrix_view_text_is_for_students(name):
    from test_student_text import problems, widget_texts

    from backprop_tutor import MatrixView, Tutorial

    found = []
    for notation in ("mazur", "layered"):
        view = MatrixView(Tutorial(name, notation=notation))
        for _, weight in view.choice.options:
            view.choice.value = weight
            found += [f"{name}, {notation}, {weight}: {p}" for text in widget_texts(view) for p in problems(text)]
        view.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", PRESETS)
def test_displays_text_is_for_students(name):
    from test_student_text import problems

    from backprop_tutor import compare_gradients

    texts = [show_matrix_form(name).data, compare_gradients(name, autograd=False).markdown()]
    assert not [p for text in texts for p in problems(text)]
