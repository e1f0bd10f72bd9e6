"""The registry is the one place an activation or a loss is defined: a new entry works end to end.

Each test registers its own entry and removes it in a ``finally`` (the ``registered`` fixture),
so the registry is left as the package ships it. The checks share no code with the package's
derivation: gradients and deltas are compared with central finite differences of a plain-float
forward pass written here.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import pytest
import sympy as sp

from backprop_tutor import (
    ACTIVATIONS,
    LOSSES,
    Activation,
    Bias,
    Delta,
    Example,
    Loss,
    Net,
    Network,
    Out,
    SpecError,
    Weight,
    evaluate_step,
    register_activation,
    register_loss,
    sweep,
    train,
    walkthrough,
)
from backprop_tutor.core.quantities import TotalError, gradient
from backprop_tutor.core.registry import unregister

BUILT_IN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear", "softmax")
BUILT_IN_LOSSES = ("half_sse", "sse", "mse", "bce", "ce")

SOFTPLUS = Activation(
    "softplus",
    output=lambda nets, i: sp.log(1 + sp.exp(nets[i])),
    why="Softplus is a smooth ReLU: the log of one plus e to the net input.",
    slope_why="Softplus's slope is the logistic function of the net input.",
)


@contextmanager
def registered(entry):
    """Register an activation or a loss for the duration of a with-block, then remove it."""
    register = register_loss if isinstance(entry, Loss) else register_activation
    register(entry)
    try:
        yield entry
    finally:
        unregister(entry.name)
    assert entry.name not in ACTIVATIONS and entry.name not in LOSSES


def _registry_is_as_shipped():
    return set(ACTIVATIONS) == set(BUILT_IN_ACTIVATIONS) and set(LOSSES) == set(BUILT_IN_LOSSES)


@pytest.fixture(autouse=True)
def clean_registry():
    """Every test starts and ends with exactly the built-in entries."""
    assert _registry_is_as_shipped()
    yield
    assert _registry_is_as_shipped()


# --- a plain-float 2-2-1 network, written independently of the package -------------------------

def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def _half_sse(out, target):
    return 0.5 * (target - out) ** 2


def _float_loss(example, values, hidden, loss=_half_sse, net_shift=None):
    """E of a 2-2-1 net with shared biases; ``values``: Weight/Bias key -> float; ``net_shift``:
    (layer, neuron) -> amount added to that net input (to differentiate by it)."""
    shift = net_shift or {}
    x, t = example.inputs[0], example.targets[0]
    h = [hidden(sum(values[Weight(1, j, k)] * x[k] for k in range(2)) + values[Bias(1)] + shift.get((1, j), 0.0))
         for j in range(2)]
    o = _sigmoid(sum(values[Weight(2, 0, k)] * h[k] for k in range(2)) + values[Bias(2)] + shift.get((2, 0), 0.0))
    return loss(o, t[0])


def _values(example):
    return example.network.parameters.named(example.weights, example.biases)


def _central(f, h=1e-6):
    return (f(h) - f(-h)) / (2 * h)


def _example(hidden, loss="half_sse", weights=None, inputs=(0.05, 0.10), target=0.9):
    network = Network([2, 2, 1], [hidden, "sigmoid"], loss=loss)
    weights = weights or [[[0.15, -0.20], [0.25, 0.30]], [[0.40, -0.45]]]
    return Example(network, weights, [0.35, 0.60], [list(inputs)], [[target]], learning_rate=0.5, epochs=200)


def _check_against_finite_differences(example, hidden, loss=_half_sse):
    """Every δ and every ∂E/∂parameter the package derives equals a central difference of _float_loss."""
    step = evaluate_step(example)
    values = _values(example)
    assert step[TotalError()] == pytest.approx(_float_loss(example, values, hidden, loss), rel=1e-12)
    checked = 0
    for key in example.network.parameters.keys:
        def moved(h, key=key):
            return _float_loss(example, {**values, key: values[key] + h}, hidden, loss)
        numeric = _central(moved)
        assert step[gradient(key)] == pytest.approx(numeric, rel=1e-6, abs=1e-10), key
        checked += 1
    for l, j in [(1, 0), (1, 1), (2, 0)]:
        numeric = _central(lambda h, l=l, j=j: _float_loss(example, values, hidden, loss, {(l, j): h}))
        assert step[Delta(l, j)] == pytest.approx(numeric, rel=1e-6, abs=1e-10), (l, j)
        checked += 1
    assert checked == 8 + 3  # six weights, two shared biases; three deltas


# --- a new activation: softplus --------------------------------------------------------------------

def _softplus(x):
    return math.log1p(math.exp(x))


def test_softplus_walkthrough_uses_its_sentences():
    """The walkthrough's output steps say the entry's ``why``, its slope steps its ``slope_why``."""
    with registered(SOFTPLUS):
        walk = walkthrough(_example("softplus"))
        whys = [s for s in walk if s.explanation == SOFTPLUS.why]
        slopes = [s for s in walk if s.explanation == SOFTPLUS.slope_why]
        assert [s.name_text for s in whys] == ["out_h1", "out_h2"]
        assert [s.phase for s in slopes] == ["hidden", "hidden"]
        assert [s.name_text for s in slopes] == ["dout_h1/dnet_h1", "dout_h2/dnet_h2"]
        # The output layer is still sigmoid and says so.
        assert walk.step_for("out_o1").explanation == ACTIVATIONS["sigmoid"].why


def test_softplus_gradients_equal_finite_differences():
    """δ_h1, δ_h2, δ_o1 and all eight gradients of a softplus hidden layer match central differences."""
    with registered(SOFTPLUS):
        _check_against_finite_differences(_example("softplus"), _softplus)


def test_softplus_slope_is_the_logistic_function():
    """SymPy's derivative of softplus, evaluated, is σ(net): the walkthrough's slope step shows it."""
    with registered(SOFTPLUS):
        example = _example("softplus")
        walk = walkthrough(example)
        step = evaluate_step(example)
        slope = walk.step_for("dout_h1/dnet_h1")
        assert slope.value == pytest.approx(_sigmoid(step[Net(1, 0)]), rel=1e-12)


def test_softplus_trains_and_lowers_the_loss():
    """train() runs on the new activation and the loss goes down."""
    with registered(SOFTPLUS):
        result = train(_example("softplus"))
    assert result.diverged_at is None
    assert len(result.loss_history) == 201
    assert result.loss < 0.5 * result.loss_history[0]


def test_unregistered_softplus_is_refused_by_the_spec():
    """Once unregistered, the spec refuses the name, one line naming the field and the known names."""
    with registered(SOFTPLUS):
        Network([2, 2, 1], ["softplus", "sigmoid"])
    with pytest.raises(SpecError) as caught:
        Network([2, 2, 1], ["softplus", "sigmoid"])
    assert caught.value.field == "activations[0]"
    assert caught.value.reason.endswith("got 'softplus'")
    assert all(name in caught.value.reason for name in BUILT_IN_ACTIVATIONS)
    assert "\n" not in str(caught.value)


# --- a new activation with its own SymPy function and numeric twins: leaky ReLU --------------------

SLOPE = 0.1


class leaky(sp.Function):
    """max(x, 0.1 x)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return leaky_slope(self.args[0])


class leaky_slope(sp.Function):
    """1 for x > 0, else 0.1."""

    nargs = 1

    def fdiff(self, argindex=1):
        return sp.S.Zero


def _leaky(x):
    return x if x > 0 else SLOPE * x


LEAKY = Activation(
    "leaky_relu",
    output=lambda nets, i: leaky(nets[i]),
    why="Leaky ReLU passes a positive net input and lets a tenth of a negative one through.",
    slope_why="Leaky ReLU's slope is 1 where the net input is positive, else 0.1.",
    numeric={"leaky": (_leaky, lambda x: np.where(x > 0, x, SLOPE * x)),
             "leaky_slope": (lambda x: 1.0 if x > 0 else SLOPE, lambda x: np.where(x > 0, 1.0, SLOPE))},
)
# Net inputs of 1.59 and -0.75: one hidden neuron on each side of the kink.
LEAKY_WEIGHTS = [[[1.5, -2.0], [2.5, 0.3]], [[0.4, -0.45]]]


def _leaky_example():
    example = _example("leaky_relu", weights=LEAKY_WEIGHTS, inputs=(0.5, 0.8)).replace(biases=[0.1, 0.6])
    step = evaluate_step(example)
    assert step[Net(1, 0)] < 0 < step[Net(1, 1)]
    return example


def test_leaky_relu_gradients_equal_finite_differences():
    """A custom SymPy function's fdiff and its math twins give the right δ and gradients on both sides of 0."""
    with registered(LEAKY):
        example = _leaky_example()
        _check_against_finite_differences(example, _leaky)
        walk = walkthrough(example)
        assert walk.step_for("dout_h1/dnet_h1").value == SLOPE
        assert walk.step_for("dout_h2/dnet_h2").value == 1.0


def test_leaky_relu_math_and_numpy_twins_agree():
    """train (math twins, Python floats) and sweep (numpy twins, arrays) end on the same loss."""
    with registered(LEAKY):
        example = _leaky_example()
        trained = train(example, epochs=300)
        swept = sweep(example, [example.learning_rate], epochs=300)
    assert trained.diverged_at is None and swept.diverged_at[0] == -1
    assert trained.loss < trained.loss_history[0]
    assert abs(swept.final_loss[0] - trained.loss) <= 1e-12
    np.testing.assert_allclose(swept.parameters[0], trained.parameters, rtol=0, atol=1e-12)


# --- a new loss: quartic ------------------------------------------------------------------------------

QUARTIC = Loss("quartic", lambda a, t, n: (t - a) ** 4 / 4,
               "A quarter of the fourth power of the difference between target and output.")


def _quartic(out, target):
    return (target - out) ** 4 / 4


def test_quartic_loss_end_to_end():
    """A registered loss: its sentence in the walkthrough, right gradients, and training lowers it."""
    with registered(QUARTIC):
        example = _example("sigmoid", loss="quartic", target=0.1)
        walk = walkthrough(example)
        assert [s.name_text for s in walk if s.explanation == QUARTIC.why] == ["E_o1"]
        _check_against_finite_differences(example, _sigmoid, _quartic)
        result = train(example, epochs=500)
    assert result.diverged_at is None
    assert result.loss < result.loss_history[0]


# --- what the registry refuses -------------------------------------------------------------------------

@pytest.mark.parametrize("name", BUILT_IN_ACTIVATIONS + BUILT_IN_LOSSES)
def test_built_ins_cannot_be_unregistered(name):
    """unregister() of a built-in name raises and leaves the entry where it was."""
    before = ACTIVATIONS.get(name) or LOSSES.get(name)
    with pytest.raises(ValueError, match="built in"):
        unregister(name)
    assert (ACTIVATIONS.get(name) or LOSSES.get(name)) is before


def test_a_taken_name_is_refused():
    """A name already registered, built-in or the user's own, cannot be registered again."""
    with pytest.raises(ValueError, match="registered already"):
        register_activation(Activation("sigmoid", SOFTPLUS.output, "x", "y"))
    with pytest.raises(ValueError, match="registered already"):
        register_loss(Loss("half_sse", QUARTIC.term, "x"))
    with registered(SOFTPLUS):
        with pytest.raises(ValueError, match="registered already"):
            register_activation(SOFTPLUS)
        assert ACTIVATIONS["softplus"] is SOFTPLUS
    assert ACTIVATIONS["sigmoid"].output is not SOFTPLUS.output


def test_a_name_registered_again_uses_the_new_entry():
    """Unregister a name, register it again with another formula: the new formula is the one evaluated."""
    def example():
        return Example(Network([1, 1], ["doubled"]), [[[1.0]]], [0.0], [[0.5]], [[0.2]])

    with registered(Activation("doubled", lambda nets, i: 2 * nets[i], "Twice the net input.", "Slope 2.")):
        assert evaluate_step(example())[Out(1, 0)] == 1.0
    with registered(Activation("doubled", lambda nets, i: 3 * nets[i], "Three times the net input.", "Slope 3.")):
        assert evaluate_step(example())[Out(1, 0)] == 1.5
