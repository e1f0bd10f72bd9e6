"""The fast paths give the reference paths' numbers: the generated whole training loop
(core/loop_code.py) against the per-epoch step function, the sweep by single runs (few rates)
against the vectorised sweep, and the layer-level code (core/layer_code.py: matrix code for one
run, the layer-stacked sweep) against the scalar path, on random nets of every activation, loss
and bias mode, including the epoch at which a run diverges."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
from see_it_networks import random_networks

from backprop_tutor import Example, Network, sweep, train
from backprop_tutor.core import engine, layer_code, sweeping
from backprop_tutor.core.bridge import compile_network
from backprop_tutor.core.layer_code import matrix_loop, stacked_sweep
from backprop_tutor.core.layer_forms import layer_forms

NETWORKS = random_networks(16, start=11)
# Rates that train, and rates that make linear and ReLU nets blow up within the epochs run.
RATES = (0.3, 40.0, 1e4)


def _reference(monkeypatch):
    """Make train use the per-epoch step function, as before the generated loop."""
    monkeypatch.setattr(engine, "_train_generated", lambda *args, **kwargs: None)


def test_the_random_networks_cover_every_kind():
    nets = [e.network for e in NETWORKS]
    assert {a for n in nets for a in n.activations} == {"sigmoid", "tanh", "relu", "linear", "softmax"}
    assert {n.loss for n in nets} == {"half_sse", "sse", "mse", "bce", "ce"}
    assert {n.bias for n in nets} == {"shared", "per_neuron", "none"} and {n.train_bias for n in nets} == {True, False}


@pytest.mark.parametrize("example", NETWORKS, ids=lambda e: "-".join(map(str, e.network.layers)) + "-"
                         + "-".join(e.network.activations) + f"-{e.network.loss}-{e.network.bias}")
def test_the_generated_loop_equals_the_step_function(example):
    """History, parameters and divergence epoch, at rates that train and rates that diverge (1e-12; in fact equal)."""
    compiled = compile_network(example.network)
    params = example.flat_parameters()
    for rate in RATES:
        fast = engine._train_generated(compiled, example, params, rate, 600)
        slow = engine._train_online(compiled, example, params, rate, 600)
        assert fast[2] == slow[2], rate
        np.testing.assert_allclose(fast[0], slow[0], rtol=1e-12, atol=0)
        np.testing.assert_allclose(fast[1], slow[1], rtol=1e-12, atol=0)


def test_some_random_runs_diverged_and_some_did_not():
    """The comparisons above and below meet both kinds of run (the generated loop: a few ms in all)."""
    ends = {engine._train_generated(compile_network(e.network), e, e.flat_parameters(), rate, 600)[2] is None
            for e in NETWORKS for rate in RATES}
    assert ends == {True, False}


@pytest.mark.parametrize("example", NETWORKS[:6], ids=lambda e: "-".join(e.network.activations) + f"-{e.network.loss}")
def test_only_and_record_path_equal_the_reference(example, monkeypatch):
    """train(only=..., record_path=True) through the generated loop: the same path, history and end state."""
    keys = compile_network(example.network).derivation.trained[:2]
    if not keys:
        pytest.skip("no trained parameter")
    fast = train(example, 300, 0.5, only=keys, record_path=True)
    _reference(monkeypatch)
    slow = train(example, 300, 0.5, only=keys, record_path=True)
    assert fast.diverged_at == slow.diverged_at and fast.path.shape == slow.path.shape
    np.testing.assert_allclose(fast.path, slow.path, rtol=1e-12, atol=0)
    np.testing.assert_allclose(fast.loss_history, slow.loss_history, rtol=1e-12, atol=0)
    assert fast.saturated == slow.saturated and fast.outputs == slow.outputs


def test_a_relu_net_whose_weight_goes_nan_behind_a_finite_loss():
    """The generated loop sees a non-finite parameter at its chunk's end and hands the run back: same epoch."""
    from test_divergence import relu_that_hides_nan

    example = relu_that_hides_nan()
    compiled = compile_network(example.network)
    fast = engine._train_generated(compiled, example, example.flat_parameters(), example.learning_rate, 3000)
    slow = engine._train_online(compiled, example, example.flat_parameters(), example.learning_rate, 3000)
    assert fast[2] == slow[2] is not None and fast[1] == slow[1]
    np.testing.assert_array_equal(fast[0], slow[0])


@pytest.mark.parametrize("example", NETWORKS[:8], ids=lambda e: "-".join(e.network.activations) + f"-{e.network.loss}")
def test_a_sweep_of_few_rates_equals_the_vectorised_sweep(example, monkeypatch):
    """Few rates run one by one (the scalar path itself); the vectorised sweep gives the same fields.

    The two evaluate the derivation with different twins (math and NumPy: a sigmoid can differ in
    its last bit), and at rate 40 such a difference grows: 1e-9, as the other sweep-against-train tests."""
    rates = [0.05, 0.5, *RATES[1:]]
    few = sweep(example, rates, 40, keep_history=True)
    monkeypatch.setattr(sweeping, "FEW_RATES", 0)
    many = sweep(example, rates, 40, keep_history=True)
    assert list(few.diverged_at) == list(many.diverged_at)
    assert list(few.state) == list(many.state)
    assert few.loss_history.shape == many.loss_history.shape
    kept = few.diverged_at < 0
    np.testing.assert_allclose(few.final_loss[kept], many.final_loss[kept], rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(few.parameters[kept], many.parameters[kept], rtol=1e-9, atol=1e-15)
    for c, at in enumerate(few.diverged_at):
        rows = slice(None) if at < 0 else slice(0, at)
        np.testing.assert_allclose(few.loss_history[rows, c], many.loss_history[rows, c], rtol=1e-9, atol=1e-300)


# --- layer-level code: matrix code and the layer-stacked sweep ---------------------------------

# The layer-level code adds a layer's terms in another order (a matrix product) and evaluates with
# the NumPy twins, so it can differ from the scalar path in a last bit. At rates that train or blow
# up such a bit stays a bit; at rates where a bounded net (tanh) trains chaotically, any two
# roundings part within tens of epochs, so those rates are compared by divergence epoch only.
SMOOTH_RATES = (0.3, 1e4)
LAYERED = [e for e in NETWORKS if layer_forms(compile_network(e.network).derivation) is not None]


def _block_example(sizes, activations, loss, bias):
    network = Network(sizes, activations, loss, bias)
    weights, biases = network.parameters.random(seed=5)
    rng = np.random.default_rng(5)
    return Example(network, weights, biases, [list(rng.uniform(0, 1, sizes[0]))],
                   [list(rng.uniform(0.1, 0.9, sizes[-1]))], learning_rate=0.5, epochs=1)


# Nets with layers of more than _PER_WEIGHT weights, which the stacked sweep runs as whole
# (neurons, inputs, rates) blocks, and more than _UNROLL outputs or neurons sharing a bias.
BLOCKS = [_block_example([3, 8, 2], ["tanh", "sigmoid"], "bce", "per_neuron"),
          _block_example([5, 6, 5], ["relu", "sigmoid"], "mse", "shared"),
          _block_example([2, 9, 1], ["sigmoid", "tanh"], "sse", "none")]


def _close(fast, slow):
    """Equal to 1e-12 of each value, or of the largest value of the array near zero (a bit of a sum)."""
    slow = np.asarray(slow, dtype=float)
    scale = float(np.max(np.abs(slow[np.isfinite(slow)]), initial=0.0))
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12 * scale)


def _name(example):
    n = example.network
    return "-".join(map(str, n.layers)) + "-" + "-".join(n.activations) + f"-{n.loss}-{n.bias}-{n.train_bias}"


def test_the_layer_level_code_covers_every_kind_it_can():
    """Every activation but softmax (its outputs are coupled: no shared form), every loss and bias mode."""
    nets = [e.network for e in LAYERED]
    assert len(LAYERED) >= 12
    assert {a for n in nets for a in n.activations} >= {"sigmoid", "tanh", "relu", "linear"}
    assert {n.loss for n in nets} == {"half_sse", "sse", "mse", "bce", "ce"}
    assert {n.bias for n in nets} == {"shared", "per_neuron", "none"} and {n.train_bias for n in nets} == {True, False}
    for example in LAYERED:
        assert matrix_loop(example.network) is not None and stacked_sweep(example.network) is not None
    softmax = Network([2, 3, 2], ["tanh", "softmax"], "ce", "per_neuron")
    assert layer_forms(compile_network(softmax).derivation) is None and matrix_loop(softmax) is None


@pytest.mark.parametrize("example", LAYERED, ids=_name)
def test_matrix_code_equals_the_scalar_path(example):
    """History, parameters and divergence epoch of the matrix code against the per-epoch step function."""
    compiled = compile_network(example.network)
    params, loop = example.flat_parameters(), matrix_loop(example.network)
    for rate in RATES:
        fast = engine._train_generated(compiled, example, params, rate, 600, loop=loop)
        slow = engine._train_online(compiled, example, params, rate, 600)
        assert fast[2] == slow[2], rate
        if rate in SMOOTH_RATES:
            _close(fast[0], slow[0])
            _close(fast[1], slow[1])


def test_the_block_nets_run_whole_blocks_and_every_kind_of_sum():
    sizes = [n * m for e in BLOCKS for n, m in zip(e.network.layers[1:], e.network.layers[:-1])]
    assert max(sizes) > layer_code._PER_WEIGHT and min(sizes) <= layer_code._PER_WEIGHT
    assert max(e.network.layers[-1] for e in BLOCKS) > layer_code._UNROLL
    assert all(stacked_sweep(e.network) is not None for e in BLOCKS)


@pytest.mark.parametrize("example", LAYERED + BLOCKS, ids=_name)
def test_the_stacked_sweep_equals_the_scalar_path(example, monkeypatch):
    """Every field of the stacked sweep against a train() per rate, and against the per-neuron vectorised sweep."""
    rates = np.array([0.05, 0.3, 40.0, 1e4])
    monkeypatch.setattr(sweeping, "FEW_RATES", 0)
    stacked = sweep(example, rates, 600, keep_history=True)
    runs = sweeping._sweep_by_runs(example, rates, 600, True)
    monkeypatch.setattr(sweeping, "stacked_sweep", lambda network: None)
    per_neuron = sweep(example, rates, 600, keep_history=True)
    for other in (runs, per_neuron):
        assert list(stacked.diverged_at) == list(other.diverged_at)
        assert stacked.loss_history.shape == other.loss_history.shape
    smooth = np.isin(rates, SMOOTH_RATES)
    kept = smooth & (stacked.diverged_at < 0)
    _close(stacked.final_loss[kept], runs.final_loss[kept])
    _close(stacked.parameters[kept], runs.parameters[kept])
    _close(stacked.outputs[kept], runs.outputs[kept])
    assert list(stacked.state[smooth]) == list(runs.state[smooth])
    for c in np.flatnonzero(smooth):
        at = stacked.diverged_at[c]
        rows = slice(None) if at < 0 else slice(0, at)
        _close(stacked.loss_history[rows, c], runs.loss_history[rows, c])
    # The per-neuron sweep: the same twins, so the same numbers where it is not chaotic.
    np.testing.assert_array_equal(np.isnan(stacked.loss_history), np.isnan(per_neuron.loss_history))
    _close(stacked.parameters[kept], per_neuron.parameters[kept])


@pytest.mark.parametrize("example", LAYERED + BLOCKS, ids=_name)
def test_the_stacked_sweep_without_history_equals_it_with_history(example, monkeypatch):
    """Skipping the loss (bounded outputs) runs the same arithmetic: the same numbers to the bit, the same epochs."""
    rates = np.array([0.05, 0.3, 40.0, 1e4, 1e6])
    monkeypatch.setattr(sweeping, "FEW_RATES", 0)
    kept, plain = sweep(example, rates, 600, keep_history=True), sweep(example, rates, 600)
    assert plain.loss_history is None
    assert list(plain.diverged_at) == list(kept.diverged_at) and list(plain.state) == list(kept.state)
    np.testing.assert_array_equal(plain.parameters, kept.parameters)
    np.testing.assert_array_equal(plain.final_loss, kept.final_loss)
    np.testing.assert_array_equal(plain.outputs, kept.outputs)


def test_the_stacked_sweeps_without_history_meet_both_kinds_of_run_and_both_ways():
    """The comparison above meets nets whose loss is skipped and nets whose loss is not, and among the
    skipped ones runs that diverge (their chunk run again with the loss) and runs that do not."""
    skipped = [e for e in LAYERED if layer_code.loss_stays_finite(e.network, e.targets[0])]
    assert 0 < len(skipped) < len(LAYERED)
    ends = {train(e, 600, rate).diverged_at is None for e in skipped for rate in (0.3, 1e4, 1e6)}
    assert ends == {True, False}


def test_the_loss_is_skipped_only_where_it_cannot_overflow():
    """Bounded outputs against targets whose error terms stay finite; not linear or ReLU outputs, not huge targets."""
    sigmoid = Network([2, 2, 2], ["sigmoid", "sigmoid"])
    assert layer_code.loss_stays_finite(sigmoid, [0.01, 0.99])
    assert layer_code.loss_stays_finite(Network([2, 2], ["sigmoid"], "bce"), [0.0, 1.0])
    assert layer_code.loss_stays_finite(Network([2, 2], ["tanh"], "sse"), [-3.0, 1e150])
    assert not layer_code.loss_stays_finite(Network([2, 2], ["tanh"], "sse"), [0.5, 1e155])   # (1e155)² overflows
    assert not layer_code.loss_stays_finite(Network([2, 2], ["linear"]), [0.0, 1.0])
    assert not layer_code.loss_stays_finite(Network([2, 2, 2], ["tanh", "relu"]), [0.0, 1.0])


def test_the_loss_is_skipped_only_where_the_sum_of_the_largest_terms_is_finite():
    # (1.2e154 - out)² is 1.44e308 at out = ±1, under float's 1.8e308; two such terms overflow.
    tanh = Network([2, 2], ["tanh"], "sse")
    assert layer_code.loss_stays_finite(tanh, [1.2e154, 0.0])
    assert not layer_code.loss_stays_finite(tanh, [1.2e154, 1.2e154])
    assert not layer_code.loss_stays_finite(tanh, [1.2e154, -1.2e154])


def test_without_layer_forms_the_loss_is_never_skipped_and_a_registry_change_is_seen(monkeypatch):
    from backprop_tutor.core import registry

    network = Network([2, 2, 2], ["sigmoid", "sigmoid"])
    assert layer_code.loss_stays_finite(network, [0.01, 0.99])
    monkeypatch.setattr(layer_code, "layer_forms", lambda derivation: None)
    # Registering anything makes every piece of generated code stale: this answer is worked out again.
    registry.register_activation(registry.Activation("bump", lambda nets, i: nets[i], "Passes it on.", "Slope 1."))
    registry.unregister("bump")
    assert not layer_code.loss_stays_finite(network, [0.01, 0.99])


def test_a_tanh_sweep_whose_loss_overflows_at_a_huge_target_diverges_where_train_does(monkeypatch):
    """½(1e200 - out)² is inf from epoch 0 while every parameter stays finite: the loss is computed, not skipped."""
    network = Network([1, 1], ["tanh"], "half_sse", "none")
    example = Example(network, [[[0.5]]], [], [[1.0]], [[1e200]], learning_rate=0.1, epochs=10)
    monkeypatch.setattr(sweeping, "FEW_RATES", 0)
    swept = sweep(example, [0.1, 0.2], 10)
    assert list(swept.diverged_at) == [train(example, 10, rate).diverged_at for rate in (0.1, 0.2)] == [0, 0]


def test_the_stacked_sweep_finds_a_weight_gone_nan_behind_a_finite_loss(monkeypatch):
    from test_divergence import relu_that_hides_nan

    example = relu_that_hides_nan()
    assert stacked_sweep(example.network) is not None
    monkeypatch.setattr(sweeping, "FEW_RATES", 0)
    rates = np.array([example.learning_rate, 0.01])
    result = sweep(example, rates, 3000)
    for c, rate in enumerate(rates):
        assert result.diverged_at[c] == (train(example, 3000, float(rate)).diverged_at or -1)


def _layered_example(sizes, activations, loss="half_sse", bias="shared"):
    network = Network(sizes, activations, loss, bias)
    weights, biases = network.parameters.random(seed=3)
    rng = np.random.default_rng(3)
    return Example(network, weights, biases, [list(rng.uniform(0, 1, sizes[0]))],
                   [list(rng.uniform(0.1, 0.9, sizes[-1]))], learning_rate=0.5, epochs=1)


def test_train_picks_matrix_code_by_size_and_gives_the_reference_numbers(monkeypatch):
    """Past MATRIX_FROM parameters per layer train() runs the matrix code; the Training is the reference one's."""
    example = _layered_example([6, 30, 6], ["tanh", "sigmoid"], "bce", "per_neuron")
    assert len(example.network.parameters.keys) >= engine.MATRIX_FROM * example.network.depth
    used = []
    monkeypatch.setattr(engine, "matrix_loop", lambda network: used.append(network) or matrix_loop(network))
    fast = train(example, 500)
    progress = train(example, 500, progress=lambda done, total: None)
    assert used and engine._matrix_loop(Network([2, 2, 2], ["sigmoid"] * 2)) is None
    monkeypatch.setattr(engine, "_train_generated", lambda *args, **kwargs: None)
    slow = train(example, 500)
    for run in (fast, progress):
        assert run.state == slow.state and run.diverged_at == slow.diverged_at
        _close(run.loss_history, slow.loss_history)
        _close(run.parameters, slow.parameters)
        _close(run.outputs, slow.outputs)


def _assert_refused(change, monkeypatch):
    """With the layer forms altered by ``change``, neither matrix code nor a stacked sweep is built."""
    example = _layered_example([2, 3, 2], ["sigmoid", "sigmoid"])
    real = layer_code.layer_forms
    monkeypatch.setattr(layer_code, "layer_forms", lambda derivation: change(real(derivation)))
    layer_code._matrix.cache_clear(), layer_code._stacked.cache_clear()
    try:
        assert matrix_loop(example.network) is None and stacked_sweep(example.network) is None
    finally:
        layer_code._matrix.cache_clear(), layer_code._stacked.cache_clear()


def _first_layer(forms, **fields):
    return replace(forms, layers=(replace(forms.layers[0], **fields), *forms.layers[1:]))


def test_a_form_that_disagrees_with_the_derivation_is_not_used(monkeypatch):
    """The build-time check: a wrong activation form (tanh for sigmoid) gives None, and the per-neuron paths run."""
    _assert_refused(lambda forms: _first_layer(forms, activation=sp.tanh(forms.layers[0].activation.args[0])),
                    monkeypatch)


@pytest.mark.parametrize("part", ["delta", "error"])
def test_a_form_off_by_a_millionth_is_not_used(part, monkeypatch):
    """The build-time check asks for 1e-10 on the loss and on every parameter: a hidden delta (which
    changes only the parameters) or the error term (only the loss) off by 1e-6 is refused."""
    off = sp.Float(1 + 1e-6)
    if part == "error":
        _assert_refused(lambda forms: replace(forms, error=forms.error * off), monkeypatch)
    else:
        _assert_refused(lambda forms: _first_layer(forms, delta=forms.layers[0].delta * off), monkeypatch)


def test_an_activation_registered_again_gets_code_of_its_new_formula():
    """The generated code is kept per network and registry generation: the same name registered
    again with another formula is not served the old code."""
    from backprop_tutor.core import registry

    def entry(scale):
        return registry.Activation("scaled_tanh", lambda nets, i: sp.tanh(scale * nets[i]), "A tanh.", "Its slope.",
                                   bounded=True)

    registry.register_activation(entry(1))
    try:
        network = Network([2, 2, 2], ["scaled_tanh", "scaled_tanh"])
        first = matrix_loop(network), stacked_sweep(network)
        assert None not in first
        registry.unregister("scaled_tanh")
        registry.register_activation(entry(2))
        again = matrix_loop(network), stacked_sweep(network)
        assert None not in again and again[0] is not first[0] and again[1] is not first[1]
    finally:
        registry.unregister("scaled_tanh")


@pytest.mark.parametrize("kind", ["matrix", "stacked, recording the loss", "stacked"])
def test_the_layer_code_is_printed_from_the_forms_alone(kind):
    """No string in the compiled source, and every name read a local, an argument or a function of the
    namespace (NumPy's, the registry's twins): no text from a user reaches it."""
    import ast

    from backprop_tutor.core.quantities import LearningRate
    from backprop_tutor.core.symbolic import symbol_for

    namespace = layer_code._namespace()
    for example in LAYERED[:6]:
        forms = layer_forms(compile_network(example.network).derivation)
        eta = symbol_for(LearningRate())
        if kind == "matrix":
            args, body = layer_code._source(forms, eta)
        else:
            args, body = layer_code._stacked_source(forms, eta, record=kind != "stacked")
        tree = ast.parse(f"def f({args}):\n{body}\n")
        nodes = list(ast.walk(tree))
        assert not [n for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        stored = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        read = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        unknown = read - stored - set(args.split(", ")) - set(namespace) - {"range"}
        assert not unknown, unknown
