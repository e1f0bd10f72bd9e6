"""Independent checks of the derived gradients, updates, sweeps and bias rules.

Every gradient the derivation produces is compared with two computations that share none of
its chain-rule code: central finite differences of the engine's loss, and SymPy's ``diff`` of
the fully expanded error (the layered definitions composed into one expression, with the
package's sigmoid/softmax/relu/log rewritten into elementary SymPy functions first, so the
custom ``fdiff`` rules are checked too).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from golden import E, dE
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backprop_tutor import (
    Bias,
    ErrorTerm,
    Example,
    Net,
    Network,
    Out,
    Updated,
    derive,
    evaluate_step,
    preset,
    sweep,
    train,
)
from backprop_tutor.core import registry as F
from backprop_tutor.core.bridge import compile_network
from backprop_tutor.core.symbolic import symbol_for

EPS = np.finfo(float).eps
HIDDEN = ("sigmoid", "tanh", "relu", "linear")
OUTPUT = HIDDEN + ("softmax",)
LOSSES = ("half_sse", "sse", "mse", "bce", "ce")
BIASES = ("shared", "per_neuron", "none")

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def networks(draw, max_size=3, depths=(1, 2, 3)):
    """A random small network: sizes 1..max_size, any activation, loss and bias mode."""
    depth = draw(st.sampled_from(depths))
    layers = [draw(st.integers(1, max_size)) for _ in range(depth + 1)]
    loss = draw(st.sampled_from(LOSSES))
    hidden = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)]
    output = draw(st.sampled_from({"bce": ("sigmoid",), "ce": ("sigmoid", "softmax")}.get(loss, OUTPUT)))
    bias = draw(st.sampled_from(BIASES))
    train_bias = draw(st.booleans())
    return Network(layers, hidden + [output], loss, bias, train_bias)


@st.composite
def examples(draw, network_strategy=None, samples=(1, 1), update="online", rate=(0.05, 1.0)):
    """A random worked example on a random network with random parameters and data."""
    net = draw(network_strategy if network_strategy is not None else networks())
    sizes = net.layers
    weights = [[[draw(_floats(-2, 2)) for _ in range(sizes[l])] for _ in range(sizes[l + 1])]
               for l in range(net.depth)]
    if net.bias == "shared":
        biases = [draw(_floats(-1, 1)) for _ in range(net.depth)]
    elif net.bias == "per_neuron":
        biases = [[draw(_floats(-1, 1)) for _ in range(sizes[l + 1])] for l in range(net.depth)]
    else:
        biases = []
    n = draw(st.integers(*samples))
    inputs = [[draw(_floats(-1, 1)) for _ in range(sizes[0])] for _ in range(n)]
    lo = 0.0 if net.loss in ("bce", "ce") else -1.0
    targets = [[draw(_floats(lo, 1)) for _ in range(sizes[-1])] for _ in range(n)]
    return Example(net, weights, biases, inputs, targets, learning_rate=draw(_floats(*rate)),
                   epochs=1, update=update)


def _assume_smooth(example: Example) -> None:
    """Reject draws where finite differences cannot work: a relu net input near its kink, or
    a sigmoid/softmax output so close to 0 or 1 that bce/ce's log loses its digits."""
    net = example.network
    compiled = compile_network(net)
    params = example.flat_parameters()
    for s in range(example.n_samples):
        if net.loss in ("bce", "ce"):
            outs = compiled.forward_math(params, example.inputs[s], example.targets[s])[1:]
            assume(all(1e-3 < a < 1 - 1e-3 for a in outs))
        step = evaluate_step(example, sample=s)
        for l in range(1, net.depth + 1):
            if net.activations[l - 1] == "relu":
                assume(all(abs(step[Net(l, j)]) > 1e-3 for j in range(net.layers[l])))


def _loss(compiled, params, x, t) -> float:
    return float(compiled.forward_math(list(params), x, t)[0])


def _finite_difference(compiled, params, i, x, t, h=1e-6) -> float:
    up, down = list(params), list(params)
    up[i] += h
    down[i] -= h
    return (_loss(compiled, up, x, t) - _loss(compiled, down, x, t)) / (up[i] - down[i])


# --- (a) finite differences -----------------------------------------------------------------

@SETTINGS
@given(examples())
def test_every_gradient_matches_central_finite_differences(example):
    """∂E/∂p from the derivation equals (E(p + h) - E(p - h)) / 2h for every parameter."""
    _assume_smooth(example)
    compiled = compile_network(example.network)
    step = evaluate_step(example)
    params = example.flat_parameters()
    x, t = example.inputs[0], example.targets[0]
    loss = abs(_loss(compiled, params, x, t))
    h = 1e-6
    for i, key in enumerate(compiled.derivation.params):
        gradient = step[dE(key)]
        numeric = _finite_difference(compiled, params, i, x, t, h)
        # rtol 1e-6, plus the rounding of two loss evaluations divided by 2h.
        tolerance = 1e-6 * abs(gradient) + 1e-9 + 8 * EPS * loss / h
        assert abs(gradient - numeric) <= tolerance, (key, gradient, numeric)


# --- (b) SymPy diff of the fully expanded error ---------------------------------------------

def _elementary(expr: sp.Expr) -> sp.Expr:
    """Rewrite the package's functions as plain SymPy: no custom fdiff is used afterwards."""
    return expr.replace(F.sigmoid, lambda x: 1 / (1 + sp.exp(-x))) \
               .replace(F.softmax, lambda i, *xs: sp.exp(xs[int(i)]) / sp.Add(*[sp.exp(v) for v in xs])) \
               .replace(F.relu, lambda x: sp.Max(0, x)) \
               .replace(F.clog, sp.log)


def expanded_error(network: Network) -> sp.Expr:
    """E as one expression of parameters, inputs and targets, composed layer by layer."""
    d = derive(network)
    S = symbol_for
    error = d.definitions[E]
    error = error.xreplace({S(ErrorTerm(j)): d.definitions[ErrorTerm(j)] for j in range(network.layers[-1])})
    for l in range(network.depth, 0, -1):
        size = network.layers[l]
        error = error.xreplace({S(Out(l, j)): d.definitions[Out(l, j)] for j in range(size)})
        error = error.xreplace({S(Net(l, j)): d.definitions[Net(l, j)] for j in range(size)})
    return _elementary(error)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(examples(networks(max_size=2, depths=(1, 2))))
def test_every_gradient_matches_sympy_diff_of_the_expanded_error(example):
    """∂E/∂p from the layered derivation equals sp.diff of E written out in full."""
    _assume_smooth(example)
    net = example.network
    d = derive(net)
    error = expanded_error(net)
    custom = (F.sigmoid, F.softmax, F.relu, F.step, F.clog)
    assert not [f for f in error.atoms(sp.Function) if isinstance(f, custom)]
    allowed = {symbol_for(k) for k in list(d.params) + d.input_keys + d.target_keys}
    assert error.free_symbols <= allowed
    step = evaluate_step(example)
    subs = {symbol_for(k): sp.Float(v, 30) for k, v in zip(d.params, example.flat_parameters())}
    subs.update({symbol_for(k): sp.Float(v, 30) for k, v in zip(d.input_keys, example.inputs[0])})
    subs.update({symbol_for(k): sp.Float(v, 30) for k, v in zip(d.target_keys, example.targets[0])})
    # Replacing every symbol by a 30-digit Float evaluates the tree as SymPy rebuilds it.
    assert float(error.xreplace(subs)) == pytest.approx(step[E], rel=1e-9, abs=1e-12)
    gradients = {key: float(sp.diff(error, symbol_for(key)).xreplace(subs)) for key in d.params}
    scale = max(1.0, max(abs(g) for g in gradients.values()))
    for key, expected in gradients.items():
        assert step[dE(key)] == pytest.approx(expected, rel=1e-8, abs=1e-11 * scale), key


# --- (c) batch: the gradient of the mean loss ----------------------------------------------

def _mean_gradient(example: Example, params=None) -> dict:
    d = derive(example.network)
    steps = [evaluate_step(example, sample=s, parameters=params) for s in range(example.n_samples)]
    return {key: math.fsum(step[dE(key)] for step in steps) / len(steps) for key in d.params}


@SETTINGS
@given(examples(samples=(2, 4), update="batch"))
def test_batch_update_uses_the_gradient_of_the_mean_per_sample_loss(example):
    """One batch epoch moves each trained parameter by -η·mean over samples of ∂E_s/∂p."""
    d = derive(example.network)
    before = example.flat_parameters()
    mean = _mean_gradient(example)
    result = train(example, epochs=1)
    assert result.diverged_at is None
    losses = [evaluate_step(example, sample=s)[E] for s in range(example.n_samples)]
    assert result.loss_history[0] == pytest.approx(np.mean(losses), rel=1e-9, abs=1e-12)
    for key, old, new in zip(d.params, before, result.parameters):
        expected = old - example.learning_rate * mean[key] if key in d.updates else old
        assert new == pytest.approx(expected, rel=1e-9, abs=1e-12), key
        if key not in d.updates:
            assert new == old


# --- (d) online: one update per sample, in order --------------------------------------------

@SETTINGS
@given(examples(samples=(2, 4)))
def test_online_epoch_applies_one_update_per_sample_in_order(example):
    """One online epoch equals stepping through the samples in order with evaluate_step."""
    d = derive(example.network)
    params = example.flat_parameters()
    for s in range(example.n_samples):
        step = evaluate_step(example, sample=s, parameters=params)
        params = [step[Updated(key)] for key in d.params]
    result = train(example, epochs=1)
    assert result.diverged_at is None
    np.testing.assert_allclose(result.parameters, params, rtol=1e-12, atol=1e-14)


def test_online_order_matters_so_the_check_above_has_teeth():
    """Stepping the samples in reverse order gives different parameters than train does."""
    example = preset("softmax")
    d = derive(example.network)
    params = example.flat_parameters()
    for s in reversed(range(example.n_samples)):
        step = evaluate_step(example, sample=s, parameters=params)
        params = [step[Updated(key)] for key in d.params]
    result = train(example, epochs=1)
    assert not np.allclose(result.parameters, params, rtol=1e-6, atol=0)


# --- (e) sweep equals train at every rate ---------------------------------------------------

def _check_sweep_matches_train(example: Example, rates, epochs: int) -> None:
    swept = sweep(example, rates, epochs)
    for c, rate in enumerate(rates):
        single = train(example, epochs=epochs, learning_rate=rate)
        if single.diverged_at is None:
            assert swept.diverged_at[c] == -1, rate
            assert swept.final_loss[c] == pytest.approx(single.loss, rel=1e-9, abs=1e-15)
            np.testing.assert_allclose(swept.parameters[c], single.parameters, rtol=1e-9, atol=1e-15)
            np.testing.assert_allclose(swept.outputs[c], single.outputs, rtol=1e-9, atol=1e-15)
        else:
            assert swept.diverged_at[c] == single.diverged_at, rate
            assert math.isnan(swept.final_loss[c])


@pytest.mark.parametrize("name", ["mazur", "mazur_article", "softmax", "xor"])
def test_sweep_equals_train_on_every_preset(name):
    """Presets cover online single-sample, online multi-sample and batch updates."""
    _check_sweep_matches_train(preset(name), [0.01, 0.3, 1.0, 3.0], 30)


@SETTINGS
@given(examples(samples=(1, 3), rate=(0.01, 0.5)), st.sampled_from(["online", "batch"]))
def test_sweep_equals_train_on_random_examples(example, update):
    """For random nets and datasets, each sweep column is the same run as train at that rate."""
    _check_sweep_matches_train(example.replace(update=update), [0.01, 0.1, 0.5], 5)


@pytest.mark.parametrize("samples, update", [(1, "online"), (3, "online"), (3, "batch")])
def test_sweep_and_train_agree_on_when_a_run_diverges(samples, update):
    """A rate that blows up a linear net is reported at the same epoch by sweep and train."""
    net = Network([2, 2, 1], ["linear", "linear"], "sse", "shared")
    inputs = [[1.0, -0.5], [0.3, 0.8], [-1.0, 1.0]][:samples]
    targets = [[0.5], [-0.2], [1.0]][:samples]
    example = Example(net, [[[0.5, -0.3], [0.2, 0.8]], [[0.7, -0.4]]], [0.1, -0.2],
                      inputs, targets, learning_rate=0.01, epochs=200, update=update)
    rates = [0.01, 50.0, 1e6]
    swept = sweep(example, rates)
    runs = [train(example, learning_rate=r) for r in rates]
    assert runs[0].diverged_at is None and runs[1].diverged_at is not None and runs[2].diverged_at is not None
    _check_sweep_matches_train(example, rates, example.epochs)
    assert list(swept.diverged_at) == [-1, runs[1].diverged_at, runs[2].diverged_at]


# --- (f) bias rules -------------------------------------------------------------------------

def test_seed_shared_bias_gradient_is_the_sum_of_its_layers_deltas_and_biases_train():
    """Seed: ∂E/∂b_l = Σ_j δ_lj for the shared bias of layer l, and training moves b1 and b2."""
    example = preset("seed")
    net = example.network
    step = evaluate_step(example)
    for l in range(1, net.depth + 1):
        deltas = [step[dE(Net(l, j))] for j in range(net.layers[l])]
        assert step[dE(Bias(l))] == pytest.approx(math.fsum(deltas), rel=1e-12, abs=1e-15)
        assert step[Updated(Bias(l))] == pytest.approx(
            example.biases[l - 1] - example.learning_rate * math.fsum(deltas), rel=1e-12)
    result = train(example, epochs=50)
    assert all(abs(after - before) > 1e-3 for after, before in zip(result.biases, example.biases))


@SETTINGS
@given(examples(networks(depths=(1, 2))))
def test_per_neuron_bias_gradient_is_its_neurons_delta(example):
    """∂E/∂b_lj = δ_lj for a per-neuron bias, and Σ_j δ_lj for a shared one."""
    net = example.network
    assume(net.bias != "none")
    step = evaluate_step(example)
    for l in range(1, net.depth + 1):
        deltas = [step[dE(Net(l, j))] for j in range(net.layers[l])]
        if net.bias == "per_neuron":
            for j, delta in enumerate(deltas):
                assert step[dE(Bias(l, j))] == pytest.approx(delta, rel=1e-12, abs=1e-15)
        else:
            assert step[dE(Bias(l))] == pytest.approx(math.fsum(deltas), rel=1e-9, abs=1e-12)


def test_mazur_biases_never_change():
    """Mazur keeps b1 = 0.35 and b2 = 0.60 fixed for the whole training, online and in a sweep."""
    example = preset("mazur_article")
    assert train(example, epochs=200).biases == [0.35, 0.60]
    swept = sweep(example, [0.1, 0.5, 2.0], 200)
    d = derive(example.network)
    columns = [d.params.index(Bias(1)), d.params.index(Bias(2))]
    np.testing.assert_array_equal(swept.parameters[:, columns], [[0.35, 0.60]] * 3)
    step = evaluate_step(example)
    assert step[Updated(Bias(1))] == 0.35 and step[Updated(Bias(2))] == 0.60
    assert step[dE(Bias(1))] != 0  # the gradient exists; it is just not applied


@pytest.mark.parametrize("bias", ["shared", "per_neuron", "none"])
@pytest.mark.parametrize("update", ["online", "batch"])
def test_frozen_biases_never_change_in_any_mode(bias, update):
    """train_bias False: train and sweep leave every bias as it was, weights still move."""
    base = preset("xor")
    net = Network(base.network.layers, base.network.activations, base.network.loss, bias, train_bias=False)
    biases = {"shared": [0.1, -0.2], "per_neuron": [[0.1, -0.2, 0.05], [0.3]], "none": []}[bias]
    example = Example(net, base.weights, biases, base.inputs, base.targets,
                      learning_rate=1.0, epochs=20, update=update)
    result = train(example)
    assert result.biases == [list(b) if isinstance(b, tuple) else b for b in example.biases]
    assert result.weights != [[list(r) for r in w] for w in example.weights]
    swept = sweep(example, [0.5, 1.0])
    d = derive(net)
    flat = example.flat_parameters()
    for i, key in enumerate(d.params):
        if key[0] == "b":
            np.testing.assert_array_equal(swept.parameters[:, i], flat[i])
