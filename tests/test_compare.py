"""Autograd agrees: the derivation's gradients against central finite differences (always) and
PyTorch's autograd (when the optional `compare` extra is installed); without PyTorch the comparison
says how to install it and still shows the other two columns."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from see_it_networks import random_networks

from backprop_tutor import (
    ACTIVATIONS,
    LOSSES,
    PRESETS,
    Activation,
    Example,
    Network,
    SpecError,
    TotalError,
    compare_gradients,
    evaluate_step,
    load_example,
    register_activation,
    show_gradient_comparison,
)
from backprop_tutor.core import registry
from backprop_tutor.teaching import compare
from backprop_tutor.teaching.compare import (
    INSTALL_HINT,
    TORCH_ACTIVATIONS,
    TORCH_LOSSES,
    AutogradUnavailable,
    finite_differences,
    torch_gradients,
)

FINITE_DIFFERENCE_TOLERANCE = 1e-7   # relative: the five-point stencil is good to about 1e-10


@pytest.fixture
def no_torch(monkeypatch):
    """Importing torch fails, as where it is not installed."""
    monkeypatch.setitem(sys.modules, "torch", None)


def _agree(comparison, tolerance):
    for key, derived, difference, _ in comparison.rows:
        assert abs(derived - difference) <= tolerance * max(abs(derived), 1e-3), key


@pytest.mark.parametrize("name", PRESETS)
def test_finite_differences_agree_with_the_derivation_on_every_preset(name, no_torch):
    _agree(compare_gradients(name), FINITE_DIFFERENCE_TOLERANCE)


@pytest.mark.parametrize("example", random_networks(25, start=1),
                         ids=lambda e: "-".join(map(str, e.network.layers)) + "-" + "-".join(e.network.activations)
                         + f"-{e.network.loss}-{e.network.bias}")
def test_finite_differences_agree_with_the_derivation_on_random_networks(example, no_torch):
    _agree(compare_gradients(example), FINITE_DIFFERENCE_TOLERANCE)


def test_without_torch_the_comparison_says_how_to_install_it(no_torch):
    comparison = compare_gradients("mazur")
    assert not comparison.has_autograd and comparison.note.startswith("PyTorch is not installed")
    assert all(row[3] is None for row in comparison.rows)
    text = show_gradient_comparison("mazur").data
    assert INSTALL_HINT in text and "finite difference" in text and "PyTorch autograd |" not in text
    assert r"\frac{\partial E_{\mathrm{total}}}{\partial w_{5}}" in text
    with pytest.raises(AutogradUnavailable, match="not installed"):
        torch_gradients("mazur")


def test_the_module_does_not_import_torch():
    code = "import sys, backprop_tutor.teaching.compare, backprop_tutor.views.display; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "False"


def test_every_built_in_activation_and_loss_has_a_torch_counterpart():
    assert set(registry._BUILT_IN) <= set(TORCH_ACTIVATIONS) | set(TORCH_LOSSES)
    assert set(TORCH_ACTIVATIONS) <= set(ACTIVATIONS) and set(TORCH_LOSSES) <= set(LOSSES)


def test_an_activation_without_a_torch_counterpart_gives_a_message_not_a_crash():
    import sympy as sp

    entry = Activation("softsign_test", lambda nets, i: nets[i] / (1 + sp.Abs(nets[i])), "x / (1 + |x|).",
                       "Its slope is 1 / (1 + |x|)^2.")
    register_activation(entry)
    try:
        example = Example(Network([1, 1], ["softsign_test"]), [[[0.5]]], [0.1], [[0.3]], [[0.7]])
        comparison = compare_gradients(example)
        assert not comparison.has_autograd
        assert comparison.note.startswith("activations[0]: 'softsign_test' has no PyTorch counterpart")
        assert comparison.largest_difference() < FINITE_DIFFERENCE_TOLERANCE
        assert "has no PyTorch counterpart" in comparison.markdown()
    finally:
        registry.unregister("softsign_test")


def test_the_autograd_column_can_be_left_out():
    comparison = compare_gradients("xor", autograd=False)
    assert not comparison.has_autograd and INSTALL_HINT in comparison.note


@pytest.mark.parametrize("call, field", [
    (lambda: compare_gradients("mazur", sample=1), "sample"),
    (lambda: finite_differences(7), "example"),
    (lambda: compare_gradients("mazur", notation="greek"), "notation"),
])
def test_bad_input_is_one_line_naming_the_field(call, field):
    with pytest.raises((SpecError, ValueError)) as caught:
        call()
    assert str(caught.value).startswith(field) and "\n" not in str(caught.value)


class _NumpyAsTorch:
    """The few PyTorch calls the model uses, in NumPy: the model's forward pass runs without PyTorch."""

    float64 = np.float64
    sigmoid = staticmethod(lambda z: 1 / (1 + np.exp(-z)))
    tanh, log = staticmethod(np.tanh), staticmethod(np.log)
    relu = staticmethod(lambda z: np.maximum(z, 0.0))
    softmax = staticmethod(lambda z, dim: np.exp(z) / np.exp(z).sum())

    @staticmethod
    def tensor(value, dtype, requires_grad=False):
        return np.asarray(value, dtype=dtype)

    @staticmethod
    def stack(items):
        return np.stack(items)


@pytest.mark.parametrize("example", [*PRESETS, *random_networks(25, start=3)], ids=str)
def test_the_pytorch_model_computes_the_engines_loss(example):
    """The model built from the example's description (weights, bias layout, activations, loss) gives the
    engine's error: checked with NumPy standing in for PyTorch, so it runs where PyTorch is not installed."""
    example = load_example(example) if isinstance(example, str) else example
    fake = _NumpyAsTorch()
    tensors = [fake.tensor(v, fake.float64) for v in example.flat_parameters()]
    loss = float(compare._loss_graph(fake, example, 0, tensors))
    assert loss == pytest.approx(evaluate_step(example)[TotalError()], rel=1e-12, abs=1e-15)


def test_compare_module_exports():
    assert set(compare.__all__) >= {"compare_gradients", "finite_differences", "torch_gradients"}
