"""Numerical stability and divergence: no overflow warnings, no log(0), no crash on a bad rate.

The numeric twins of the activations must not overflow at ±1000; a saturated sigmoid with
binary cross-entropy must keep a finite loss and gradient (SymPy cancels 1/out against the
sigmoid's out(1 - out)); and a learning rate that blows the weights up must stop training
cleanly, report the epoch, and keep the last finite parameters.
"""

from __future__ import annotations

import math
import random
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
import sympy as sp
from golden import E_AFTER, E, dE

from backprop_tutor import (
    Example,
    Net,
    Network,
    Out,
    Target,
    Updated,
    Weight,
    derive,
    evaluate_step,
    preset,
    random_parameters,
    sweep,
    train,
)
from backprop_tutor.core.bridge import compile_network
from backprop_tutor.core.registry import numeric_functions
from backprop_tutor.core.symbolic import symbol_for

MATH_FUNCTIONS, NUMPY_FUNCTIONS = numeric_functions("math"), numeric_functions("numpy")


@contextmanager
def strict():
    """Every warning is an error, and NumPy overflow, 0-division and invalid operations raise.

    Underflow to 0 (e^-1000) is the intended result of a stable sigmoid, so it stays quiet.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


# --- the numeric twins ----------------------------------------------------------------------

def test_math_sigmoid_saturates_without_overflow():
    """sigmoid(-1000) = 0 and sigmoid(1000) = 1 exactly, with no OverflowError."""
    sigmoid = MATH_FUNCTIONS["sigmoid"]
    with strict():
        assert sigmoid(-1000.0) == 0.0
        assert sigmoid(1000.0) == 1.0
        assert sigmoid(-1e308) == 0.0 and sigmoid(1e308) == 1.0
        assert sigmoid(0.0) == 0.5
        assert sigmoid(-30.0) == pytest.approx(math.exp(-30.0) / (1 + math.exp(-30.0)), rel=1e-15)


def test_numpy_sigmoid_saturates_without_overflow():
    """The NumPy sigmoid gives [0, 0.5, 1] at [-1000, 0, 1000] without a RuntimeWarning."""
    sigmoid = NUMPY_FUNCTIONS["sigmoid"]
    with strict():
        values = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
        scalar_low, scalar_high = sigmoid(np.float64(-1000.0)), sigmoid(np.float64(1000.0))
    # 0 to far below anything a loss can see (clog clamps at 1e-300), and 1 exactly.
    assert 0.0 <= values[0] < 1e-300 and values[1] == 0.5 and values[2] == 1.0
    assert 0.0 <= scalar_low < 1e-300 and scalar_high == 1.0


def test_numpy_sigmoid_keeps_full_precision_where_it_is_tiny():
    """The NumPy twin equals the math twin to 1e-13 relative on [-700, 700]: a form such as
    (1 + tanh(x/2)) / 2 rounds to exactly 0 below x ≈ -37, and bce's log then reads log(0)."""
    xs = np.concatenate([np.linspace(-700.0, 700.0, 1401), np.linspace(-60.0, -20.0, 401)])
    with strict():
        values = NUMPY_FUNCTIONS["sigmoid"](xs)
    reference = np.array([MATH_FUNCTIONS["sigmoid"](float(x)) for x in xs])
    assert np.all(values > 0)
    np.testing.assert_allclose(values, reference, rtol=1e-13, atol=0)


@pytest.mark.parametrize("backend", ["math", "numpy"])
def test_softmax_of_large_inputs_does_not_overflow(backend):
    """softmax([1000, 1000, 0]) = [0.5, 0.5, ~0] and softmax([-1000, 0]) = [~0, 1]."""
    softmax = {"math": MATH_FUNCTIONS, "numpy": NUMPY_FUNCTIONS}[backend]["softmax"]
    with strict():
        big = [float(softmax(i, 1000.0, 1000.0, 0.0)) for i in range(3)]
        small = [float(softmax(i, -1000.0, 0.0)) for i in range(2)]
        huge = [float(softmax(i, 1e300, -1e300)) for i in range(2)]
    assert big[0] == pytest.approx(0.5, abs=1e-15) and big[1] == pytest.approx(0.5, abs=1e-15)
    assert 0.0 <= big[2] < 1e-300
    assert 0.0 <= small[0] < 1e-300 and small[1] == pytest.approx(1.0, abs=1e-15)
    assert huge == [1.0, 0.0]
    assert math.fsum(big) == pytest.approx(1.0, abs=1e-15)


def test_numpy_softmax_works_column_by_column():
    """Vectorised softmax (one column per configuration) is stable in every column."""
    softmax = NUMPY_FUNCTIONS["softmax"]
    xs = [np.array([1000.0, -1000.0, 0.0]), np.array([1000.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0])]
    with strict():
        columns = np.array([softmax(i, *xs) for i in range(3)])
    np.testing.assert_allclose(columns.sum(axis=0), 1.0, rtol=1e-15)
    np.testing.assert_allclose(columns[:, 0], [0.5, 0.5, 0.0], atol=1e-15)
    np.testing.assert_allclose(columns[:, 1], [0.0, 0.5, 0.5], atol=1e-15)
    np.testing.assert_allclose(columns[:, 2], [1 / 3] * 3, rtol=1e-15)


def test_clamped_log_of_zero_is_finite():
    """clog(0) and clog of a tiny negative rounding error are finite in both backends."""
    with strict():
        values = [MATH_FUNCTIONS["clog"](0.0), MATH_FUNCTIONS["clog"](-1e-17),
                  float(NUMPY_FUNCTIONS["clog"](np.float64(0.0))),
                  *NUMPY_FUNCTIONS["clog"](np.array([0.0, -1e-17, 1.0]))]
    assert all(math.isfinite(v) for v in values)
    assert values[-1] == 0.0
    assert MATH_FUNCTIONS["clog"](math.e) == pytest.approx(1.0, rel=1e-15)


# --- sigmoid + binary cross-entropy: the 1/out cancels --------------------------------------

@pytest.mark.parametrize("layers", [[1, 1], [2, 1], [2, 2], [2, 3, 2], [1, 2, 2, 3]])
def test_sigmoid_bce_output_delta_has_no_division_and_is_out_minus_target(layers):
    """δ_out = ∂E/∂net_out is out - target, with no 1/out or 1/(1 - out) left to divide by 0."""
    net = Network(layers, ["sigmoid"] * (len(layers) - 1), "bce", "shared")
    d = derive(net)
    L = net.depth
    for j in range(net.layers[-1]):
        expr = d.delta(L, j).expr
        assert sp.denom(sp.together(expr)) == 1
        assert not [p for p in expr.atoms(sp.Pow) if p.exp.is_negative], expr
        assert sp.expand(expr - (symbol_for(Out(L, j)) - symbol_for(Target(j)))) == 0, expr


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_softmax_ce_output_delta_is_out_times_sum_of_targets_minus_target(size):
    """δ_j = out_j·Σ_k t_k - t_j for softmax with cross-entropy, with no division."""
    net = Network([2, size], ["softmax"], "ce", "per_neuron")
    d = derive(net)
    targets = [symbol_for(("t", k)) for k in range(size)]
    for j in range(size):
        expr = d.delta(1, j).expr
        assert sp.denom(sp.together(expr)) == 1
        expected = symbol_for(Out(1, j)) * sp.Add(*targets) - targets[j]
        assert sp.expand(expr - expected) == 0, expr


def _saturated_bce(weight: float, target: float) -> Example:
    net = Network([2, 2, 1], ["sigmoid", "sigmoid"], "bce", "shared")
    return Example(net, [[[0.1, 0.2], [0.3, -0.1]], [[weight, weight]]], [0.0, 0.0],
                   [[1.0, 0.5]], [[target]], learning_rate=0.5, epochs=20)


@pytest.mark.parametrize("weight, saturated", [(2000.0, 1.0), (-2000.0, 0.0)])
def test_saturated_sigmoid_bce_has_finite_loss_and_gradient(weight, saturated):
    """An output of exactly 0 or 1: finite loss, gradient = (out - t)·(input to the weight)."""
    example = _saturated_bce(weight, target=0.3)
    compiled = compile_network(example.network)
    params = example.flat_parameters()
    x, t = example.inputs[0], example.targets[0]
    with strict():
        loss, out = compiled.forward_math(params, x, t)
        assert out == saturated
        assert math.isfinite(loss) and loss > 0
        step = evaluate_step(example)
        trained = train(example)
        swept = sweep(example, [0.1, 0.5], 20)
        numpy_out = compiled.gradient_numpy(np.asarray(params), [np.array([v]) for v in x],
                                            [np.array([v]) for v in t])
    delta = saturated - 0.3
    assert step[dE(Net(2, 0))] == pytest.approx(delta, rel=1e-12)
    hidden = [step[Out(1, k)] for k in range(2)]
    for k in range(2):
        assert step[dE(Weight(2, 0, k))] == pytest.approx(delta * hidden[k], rel=1e-12)
    gradients = [step[dE(p)] for p in compiled.derivation.params]
    assert all(math.isfinite(g) for g in gradients)
    assert all(math.isfinite(step[Updated(p)]) for p in compiled.derivation.params)
    assert np.all(np.isfinite(np.asarray(numpy_out, dtype=float)))
    # Training moves off the saturated side instead of stopping or producing nan.
    assert trained.diverged_at is None
    assert np.all(np.isfinite(trained.loss_history)) and np.all(np.isfinite(trained.parameters))
    assert np.all(swept.diverged_at == -1) and np.all(np.isfinite(swept.final_loss))


@pytest.mark.parametrize("update", ["online", "batch"])
def test_sweep_and_train_agree_on_a_nearly_saturated_sigmoid_bce_net(update):
    """Output net input ≈ -50 (out ≈ 2e-22, not 0): sweep's NumPy path and train's float path
    report the same bce loss, about 50·t, not log(clamp) ≈ 690·t."""
    example = _saturated_bce(-50.0, target=0.5).replace(update=update)
    with strict():
        first = evaluate_step(example)
        single = train(example, epochs=3)
        swept = sweep(example, [example.learning_rate], 3, keep_history=True)
    assert first[Net(2, 0)] < -50 and 10 < first[E] < 100
    assert single.loss_history[0] == pytest.approx(first[E], rel=1e-9)
    np.testing.assert_allclose(swept.loss_history[:, 0], single.loss_history, rtol=1e-9)
    assert swept.final_loss[0] == pytest.approx(single.loss, rel=1e-9)
    np.testing.assert_allclose(swept.parameters[0], single.parameters, rtol=1e-9)


def test_saturated_sigmoid_bce_walkthrough_factor_is_infinite_not_a_crash():
    """∂E/∂out = -t/out + (1 - t)/(1 - out) is infinite at out = 1; evaluate_step says so."""
    example = _saturated_bce(2000.0, target=0.3)
    with strict():
        step = evaluate_step(example)
    assert step[dE(Out(2, 0))] == math.inf
    assert math.isfinite(step[E]) and math.isfinite(step[E_AFTER])


# --- divergence ---------------------------------------------------------------------------

def _linear_example(samples: int, update: str) -> Example:
    net = Network([2, 3, 1], ["linear", "linear"], "half_sse", "per_neuron")
    weights = [[[0.5, -0.3], [0.2, 0.8], [-0.4, 0.1]], [[0.7, -0.4, 0.3]]]
    biases = [[0.1, -0.2, 0.0], [0.05]]
    inputs = [[1.0, -0.5], [0.3, 0.8], [-1.0, 1.0], [0.2, 0.2]][:samples]
    targets = [[0.5], [-0.2], [1.0], [0.0]][:samples]
    return Example(net, weights, biases, inputs, targets, learning_rate=0.01, epochs=500, update=update)


def _assert_clean_divergence(result) -> None:
    assert isinstance(result.diverged_at, int) and not isinstance(result.diverged_at, bool)
    assert result.diverged_at >= 1
    assert len(result.loss_history) == result.diverged_at
    assert np.all(np.isfinite(result.loss_history))
    assert np.all(np.isfinite(result.parameters))
    assert math.isfinite(result.loss)
    assert np.all(np.isfinite(np.asarray(result.outputs, dtype=float)))


@pytest.mark.parametrize("rate", [1e3, 1e6])
@pytest.mark.parametrize("samples, update", [(1, "online"), (4, "online"), (4, "batch"), (1, "batch")])
def test_huge_learning_rate_diverges_cleanly(samples, update, rate):
    """A linear net at a huge rate: train returns, names the epoch, keeps finite parameters."""
    example = _linear_example(samples, update)
    with strict():
        result = train(example, learning_rate=rate)
    _assert_clean_divergence(result)
    assert result.diverged_at < example.epochs
    # The kept parameters are the ones whose loss is the last history entry.
    again = train(example.replace(learning_rate=rate, epochs=result.diverged_at - 1))
    assert again.diverged_at is None
    np.testing.assert_allclose(again.parameters, result.parameters, rtol=1e-12)
    assert result.loss == pytest.approx(again.loss, rel=1e-12)


@pytest.mark.parametrize("samples, update", [(1, "online"), (4, "online"), (4, "batch")])
def test_small_learning_rate_does_not_diverge(samples, update):
    """The same nets at a small rate train without diverging, and the loss falls."""
    example = _linear_example(samples, update)
    with strict():
        result = train(example)
    assert result.diverged_at is None
    assert len(result.loss_history) == example.epochs + 1
    assert result.loss_history[-1] < result.loss_history[0]


@pytest.mark.parametrize("samples, update", [(1, "online"), (4, "online"), (4, "batch")])
def test_sweep_reports_divergence_per_rate_without_warnings(samples, update):
    """sweep([0.01, 1e6]): -1 and finite loss for the first, an epoch and nan for the second."""
    example = _linear_example(samples, update)
    with strict():
        swept = sweep(example, [0.01, 1e6], keep_history=True)
    assert swept.diverged_at[0] == -1
    assert swept.diverged_at[1] >= 1
    assert np.issubdtype(swept.diverged_at.dtype, np.integer)
    assert math.isfinite(swept.final_loss[0]) and math.isnan(swept.final_loss[1])
    assert swept.diverged_at[1] == train(example, learning_rate=1e6).diverged_at
    assert swept.final_loss[0] == pytest.approx(train(example, learning_rate=0.01).loss, rel=1e-9)
    assert np.all(np.isfinite(swept.loss_history[: swept.diverged_at[1], 1]))


@pytest.mark.parametrize("name", ["mazur", "mazur_article", "softmax", "xor"])
@pytest.mark.parametrize("update", ["online", "batch"])
def test_every_preset_survives_an_absurd_learning_rate(name, update):
    """At rate 1e6 (sigmoid, tanh, softmax nets) nothing raises or warns; state stays finite."""
    example = preset(name).replace(update=update, epochs=200)
    with strict():
        result = train(example, learning_rate=1e6)
        swept = sweep(example, [0.5, 1e6])
    if result.diverged_at is None:
        assert np.all(np.isfinite(result.loss_history))
        assert swept.diverged_at[1] == -1
    else:
        _assert_clean_divergence(result)
        assert swept.diverged_at[1] == result.diverged_at
    assert np.all(np.isfinite(result.parameters))
    assert swept.diverged_at[0] == -1


def test_zero_epochs_reports_the_initial_loss():
    """epochs=0: one loss (the initial one), no update, no divergence."""
    example = _linear_example(4, "online")
    result = train(example, epochs=0, learning_rate=1e6)
    assert result.diverged_at is None and len(result.loss_history) == 1
    assert result.parameters == example.flat_parameters()


# --- a larger net: compiles, and its gradients are right ------------------------------------

def test_8_16_8_sigmoid_net_compiles_and_matches_finite_differences():
    """The 8-16-8 sigmoid net derives and compiles; 3 random gradients match central differences."""
    net = Network([8, 16, 8], ["sigmoid", "sigmoid"], "half_sse", "per_neuron")
    weights, biases = random_parameters(net, seed=3)
    rng = random.Random(7)
    x = [round(rng.uniform(0, 1), 3) for _ in range(8)]
    t = [round(rng.uniform(0, 1), 3) for _ in range(8)]
    example = Example(net, weights, biases, [x], [t])
    compiled = compile_network(net)
    assert len(compiled.derivation.params) == 8 * 16 + 16 + 16 * 8 + 8
    step = evaluate_step(example)
    params = example.flat_parameters()
    keys = compiled.derivation.params
    h = 1e-6
    for i in rng.sample(range(len(keys)), 3) + [0, len(keys) - 1]:
        up, down = list(params), list(params)
        up[i] += h
        down[i] -= h
        numeric = (compiled.forward_math(up, x, t)[0] - compiled.forward_math(down, x, t)[0]) / (up[i] - down[i])
        gradient = step[dE(keys[i])]
        assert abs(gradient - numeric) <= 1e-6 * abs(gradient) + 1e-9, (keys[i], gradient, numeric)
