"""Divergence is any non-finite loss or parameter, found at its exact epoch; a stalled run says so.

Reproducers from issue 11: a linear-hidden, ReLU-output network at a huge learning rate whose
parameters all become nan while the ReLU keeps the loss at 0.625 (it was reported as finished),
and Mazur's example at learning rate 1e6 or 1e308, whose outputs are pinned at 0 with the loss
flat at 0.4901 (nothing was flagged).
"""

import math
import random

import numpy as np
import pytest

from backprop_tutor import load_example, sweep, train, walkthrough
from backprop_tutor.core import engine
from backprop_tutor.core.bridge import compile_network
from backprop_tutor.core.spec import Example, Network
from backprop_tutor.teaching.render import training_lines


def relu_that_hides_nan() -> Example:
    net = Network([2, 2, 2], ["linear", "relu"], bias="shared")
    return Example(net, [[[0.0, -8.01], [8.53, 1.64]], [[2.47, -1.23], [-7.48, 9.99]]], [0.1, 0.1],
                   [[-0.66, -0.27]], [[0.5, 1.0]], learning_rate=6e307, epochs=1000)


def reference(example: Example):
    """Online training on one sample, every loss and every parameter checked after every epoch."""
    compiled = compile_network(example.network)
    params, history = example.flat_parameters(), []
    x, t = example.inputs[0], example.targets[0]
    for epoch in range(example.epochs):
        try:
            out = compiled.step_math(params, x, t, example.learning_rate)
        except (OverflowError, ValueError, ZeroDivisionError):   # Python's floats raise where NumPy gives inf
            return history, epoch
        if not math.isfinite(out[0]):
            return history, epoch
        history.append(out[0])
        if not all(map(math.isfinite, out[1:])):
            return history, epoch + 1
        params = out[1:]
    return history, None


def test_a_relu_that_hides_nan_parameters_has_diverged():
    example = relu_that_hides_nan()
    compiled = compile_network(example.network)
    run = train(example)
    assert run.diverged_at == 1 and run.state == "diverged"
    assert len(run.loss_history) == 1 and all(map(math.isfinite, run.parameters))
    # The parameters one update later are nan, and yet the loss there is finite: the old blind spot.
    after = compiled.step_math(run.parameters, example.inputs[0], example.targets[0], example.learning_rate)[1:]
    nan_loss = compiled.step_math(after, example.inputs[0], example.targets[0], example.learning_rate)[0]
    assert not all(map(math.isfinite, after)) and nan_loss == 0.625
    assert "diverged at epoch 1" in training_lines(run, walkthrough(example))[0]


@pytest.mark.parametrize("check_every", [1, 7, 256])
def test_the_divergence_epoch_is_exact_whatever_the_check_interval(monkeypatch, check_every):
    monkeypatch.setattr(engine, "_CHECK_EVERY", check_every)
    rng = random.Random(3)
    found = 0
    for _ in range(400):
        net = Network([2, 2, 2], [rng.choice(["linear", "relu", "tanh"]), "relu"], bias=rng.choice(["shared", "none"]))
        scale = rng.choice([1, 10, 1e3])
        weights = [[[rng.uniform(-scale, scale) for _ in range(2)] for _ in range(2)] for _ in range(2)]
        example = Example(net, weights, [0.1, 0.1] if net.bias == "shared" else None,
                          [[rng.uniform(-1, 1), rng.uniform(-1, 1)]], [[0.5, 1.0]],
                          learning_rate=10 ** rng.uniform(0, 308), epochs=40)
        run = train(example)
        history, diverged_at = reference(example)
        assert run.diverged_at == diverged_at
        assert np.array_equal(run.loss_history[: len(history)], history)
        assert all(map(math.isfinite, run.parameters))
        found += diverged_at is not None
    assert found > 20   # the random networks do diverge, in both ways


@pytest.mark.parametrize("rate", [1e6, 1e308])
def test_a_run_pinned_at_the_flat_ends_is_saturated(rate):
    example = load_example("mazur")
    run = train(example, epochs=300, learning_rate=rate)
    assert run.diverged_at is None and run.state == "saturated"
    assert run.outputs[0] == [0.0, 0.0] and run.loss == pytest.approx(0.4901)
    assert "stalled" in training_lines(run, walkthrough(example))[0]


@pytest.mark.parametrize("name", ["mazur", "mazur_article", "xor", "softmax"])
def test_an_ordinary_run_is_trained(name):
    run = train(load_example(name), epochs=200)
    assert run.state == "trained" and not run.saturated


def test_a_sweep_reports_each_run_as_train_does():
    """sweep(mazur, [1e308]) reported diverged_at -1 and nothing else: now it says saturated, like train."""
    example = load_example("mazur")
    rates = [0.5, 1e6, 1e308]
    swept = sweep(example, rates, epochs=300)
    runs = [train(example, epochs=300, learning_rate=rate) for rate in rates]
    assert list(swept.state) == [run.state for run in runs] == ["trained", "saturated", "saturated"]
    hidden = relu_that_hides_nan()
    swept = sweep(hidden, [hidden.learning_rate, 0.01], epochs=50, keep_history=True)
    runs = [train(hidden, epochs=50, learning_rate=rate) for rate in (hidden.learning_rate, 0.01)]
    assert list(swept.diverged_at) == [1, -1] and runs[0].diverged_at == 1
    assert list(swept.state) == [run.state for run in runs]
    assert swept.loss_history[0, 0] == runs[0].loss_history[0] and np.all(np.isnan(swept.loss_history[1:, 0]))
