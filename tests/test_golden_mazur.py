"""Golden values: Matt Mazur, "A Step by Step Backpropagation Example" (2015), via the `mazur` preset.

Each value is compared at the precision the article prints it: absolute tolerance half a unit in
its last printed digit. Three of the article's closing figures do not follow from its own
algorithm: the error after one update (0.291027924) and the outputs after 10,000 epochs
(0.015912196 / 0.984065734) come from an early version of its code that used the updated
w5…w8 in the hidden deltas. Its error after 10,000 epochs (0.0000351085) is the algorithm as
described, read after 9,999 updates instead of 10,000. The correct figures are pinned, and a
plain-float reimplementation below shows where each published one came from.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from golden import (
    B1,
    B2,
    CORRECT_ERROR_AFTER_10000,
    CORRECT_ERROR_AFTER_ONE_UPDATE,
    CORRECT_OUTPUTS_AFTER_10000,
    E_AFTER,
    MAZUR,
    MAZUR_B1,
    MAZUR_B2,
    MAZUR_DEO1_DOUT_H1,
    MAZUR_DEO2_DOUT_H1,
    MAZUR_ERROR_AFTER_10000,
    MAZUR_ERROR_AFTER_ONE_UPDATE,
    MAZUR_ERROR_BEFORE,
    MAZUR_ETA,
    MAZUR_INPUTS,
    MAZUR_OUTPUTS_AFTER_10000,
    MAZUR_PRINTED,
    MAZUR_TARGETS,
    MAZUR_WEIGHTS,
    dE,
)

from backprop_tutor import Net, Out, Partial, Updated, evaluate_step, preset, train


def _half_unit(printed: str) -> float:
    """Half a unit in the last printed digit: '0.593269992' -> 5e-10."""
    return 0.5 * 10.0 ** Decimal(printed).as_tuple().exponent


@pytest.fixture(scope="module")
def step():
    return evaluate_step(preset("mazur_article"))


@pytest.fixture(scope="module")
def trained():
    return train(preset("mazur_article"))


@pytest.mark.parametrize("key, printed", [(k, v) for _, k, v in MAZUR_PRINTED], ids=[i for i, _, _ in MAZUR_PRINTED])
def test_mazur_printed_value(step, key, printed):
    """The engine's value rounds to the figure the article prints."""
    assert step[key] == pytest.approx(float(printed), abs=_half_unit(printed))


def test_mazur_dEo1_dout_h1(step):
    """Mazur: ∂E_o1/∂out_h1 = δ_o1 · w5 = 0.138498562 · 0.40 = 0.055399425."""
    term = step[dE(Net(2, 0))] * step[Partial(Net(2, 0), Out(1, 0))]
    assert term == pytest.approx(float(MAZUR_DEO1_DOUT_H1), abs=_half_unit(MAZUR_DEO1_DOUT_H1))


def test_mazur_dEo2_dout_h1(step):
    """Mazur: ∂E_o2/∂out_h1 = δ_o2 · w7 = -0.019049119, a double rounding of -0.0190491183.

    Exactly, δ_o2 · w7 = -0.0380982365 · 0.5 = -0.01904911826, which rounds to -0.019049118.
    The article rounds δ_o2 to -0.038098237 first, halves it to -0.0190491185 and rounds again.
    So this one figure matches to one unit in its last digit, not half a unit.
    """
    delta_o2 = step[dE(Net(2, 1))]
    w7 = step[Partial(Net(2, 1), Out(1, 0))]
    assert w7 == 0.5  # Mazur's w7
    term = delta_o2 * w7
    assert term == pytest.approx(float(MAZUR_DEO2_DOUT_H1), abs=1e-9)
    assert f"{term:.9f}" == "-0.019049118"  # the unrounded product
    rounded_first = Decimal(repr(round(delta_o2, 9))) * Decimal(repr(w7))
    assert rounded_first == Decimal("-0.0190491185")
    assert rounded_first.quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP) == Decimal(MAZUR_DEO2_DOUT_H1)


def test_mazur_dE_dout_h1_sums_both_paths(step):
    """Mazur: ∂E/∂out_h1 = 0.055399425 + -0.019049119 = 0.036350306."""
    total = sum(step[dE(Net(2, i))] * step[Partial(Net(2, i), Out(1, 0))] for i in range(2))
    assert total == pytest.approx(step[dE(Out(1, 0))], abs=1e-15)
    assert total == pytest.approx(float(MAZUR["dE_dout_h1"]), abs=_half_unit(MAZUR["dE_dout_h1"]))


def test_mazur_biases_never_updated(step, trained):
    """Mazur updates w1..w8 only: b1 = 0.35 and b2 = 0.60 stay as they are."""
    assert step[Updated(B1)] == 0.35
    assert step[Updated(B2)] == 0.60
    assert trained.biases == [0.35, 0.60]


def test_mazur_error_before_training(trained):
    """Mazur: 'the error on the network was 0.298371109'."""
    assert trained.loss_history[0] == pytest.approx(float(MAZUR_ERROR_BEFORE), abs=_half_unit(MAZUR_ERROR_BEFORE))


# --- the closing figures: correct ones pinned, the published ones explained -----------------

def test_error_after_one_update_is_the_correct_figure(step, trained):
    """After one update the error is 0.2910277737, not the article's 0.291027924."""
    assert trained.loss_history[1] == pytest.approx(CORRECT_ERROR_AFTER_ONE_UPDATE, abs=1e-10)
    assert step[E_AFTER] == pytest.approx(CORRECT_ERROR_AFTER_ONE_UPDATE, abs=1e-10)
    assert abs(trained.loss_history[1] - float(MAZUR_ERROR_AFTER_ONE_UPDATE)) > 1e-7


def test_after_10000_epochs_are_the_correct_figures(trained):
    """After 10,000 epochs: loss 3.51019e-05 and outputs 0.0159136204 / 0.9840642735 (not the article's)."""
    assert trained.epochs == 10000
    assert len(trained.loss_history) == 10001
    assert trained.diverged_at is None
    assert trained.loss == pytest.approx(CORRECT_ERROR_AFTER_10000, rel=1e-5)
    for j, value in enumerate(CORRECT_OUTPUTS_AFTER_10000):
        assert trained.outputs[0][j] == pytest.approx(value, abs=1e-10)
    assert abs(trained.outputs[0][0] - float(MAZUR_OUTPUTS_AFTER_10000[0])) > 1e-6


# A plain-float Mazur epoch, written independently of the package. With ``stale_w5_w8`` it
# reproduces the slip of the article's early code: the hidden deltas use w5..w8 *after* their
# update, although the article's text says to use the original ones.
_INPUTS, _TARGETS, _B1, _B2, _ETA = MAZUR_INPUTS, MAZUR_TARGETS, MAZUR_B1, MAZUR_B2, MAZUR_ETA
_MAZUR_WEIGHTS = MAZUR_WEIGHTS  # w1..w8


def _logistic(x):
    return 1.0 / (1.0 + math.exp(-x))


def _forward(w):
    i1, i2 = _INPUTS
    h1 = _logistic(w[0] * i1 + w[1] * i2 + _B1)
    h2 = _logistic(w[2] * i1 + w[3] * i2 + _B1)
    o1 = _logistic(w[4] * h1 + w[5] * h2 + _B2)
    o2 = _logistic(w[6] * h1 + w[7] * h2 + _B2)
    return h1, h2, o1, o2


def _error(w):
    _, _, o1, o2 = _forward(w)
    return 0.5 * (_TARGETS[0] - o1) ** 2 + 0.5 * (_TARGETS[1] - o2) ** 2


def _mazur_epoch(w, stale_w5_w8):
    i1, i2 = _INPUTS
    h1, h2, o1, o2 = _forward(w)
    d1 = -(_TARGETS[0] - o1) * o1 * (1 - o1)
    d2 = -(_TARGETS[1] - o2) * o2 * (1 - o2)
    w5 = w[4] - _ETA * d1 * h1
    w6 = w[5] - _ETA * d1 * h2
    w7 = w[6] - _ETA * d2 * h1
    w8 = w[7] - _ETA * d2 * h2
    back = (w5, w6, w7, w8) if stale_w5_w8 else w[4:8]
    dh1 = (d1 * back[0] + d2 * back[2]) * h1 * (1 - h1)
    dh2 = (d1 * back[1] + d2 * back[3]) * h2 * (1 - h2)
    w1 = w[0] - _ETA * dh1 * i1
    w2 = w[1] - _ETA * dh1 * i2
    w3 = w[2] - _ETA * dh2 * i1
    w4 = w[3] - _ETA * dh2 * i2
    return (w1, w2, w3, w4, w5, w6, w7, w8)


def test_published_error_after_one_update_came_from_updated_w5_w8(trained):
    """The updated w5..w8 in the hidden deltas give the article's 0.291027924; the algorithm gives 0.2910277737."""
    wrong = _error(_mazur_epoch(_MAZUR_WEIGHTS, stale_w5_w8=True))
    right = _error(_mazur_epoch(_MAZUR_WEIGHTS, stale_w5_w8=False))
    assert f"{wrong:.9f}" == MAZUR_ERROR_AFTER_ONE_UPDATE
    assert f"{right:.9f}" != MAZUR_ERROR_AFTER_ONE_UPDATE
    # The independent reimplementation of the article's algorithm agrees with the engine.
    assert right == pytest.approx(CORRECT_ERROR_AFTER_ONE_UPDATE, abs=1e-10)
    assert trained.loss_history[1] == pytest.approx(right, abs=1e-15)
    # The article's own walkthrough (w1+ = 0.149780716) did use the original weights.
    assert f"{_mazur_epoch(_MAZUR_WEIGHTS, stale_w5_w8=False)[0]:.9f}" == "0.149780716"
    assert f"{_mazur_epoch(_MAZUR_WEIGHTS, stale_w5_w8=True)[0]:.9f}" != "0.149780716"


def test_published_outputs_after_10000_epochs_came_from_updated_w5_w8():
    """The same slip, run 10,000 epochs, gives the article's outputs 0.015912196 / 0.984065734.

    Its error, 3.50848e-05, is not the article's 0.0000351085: that figure has another source
    (the next test).
    """
    wrong, right = _MAZUR_WEIGHTS, _MAZUR_WEIGHTS
    for _ in range(10000):
        wrong = _mazur_epoch(wrong, stale_w5_w8=True)
        right = _mazur_epoch(right, stale_w5_w8=False)
    assert tuple(f"{o:.9f}" for o in _forward(wrong)[2:]) == MAZUR_OUTPUTS_AFTER_10000
    assert tuple(f"{o:.9f}" for o in _forward(right)[2:]) != MAZUR_OUTPUTS_AFTER_10000
    assert _error(right) == pytest.approx(CORRECT_ERROR_AFTER_10000, rel=1e-5)
    assert _error(wrong) != pytest.approx(float(MAZUR_ERROR_AFTER_10000), abs=_half_unit(MAZUR_ERROR_AFTER_10000))


def test_published_error_after_10000_epochs_is_the_algorithm_read_after_9999_updates(trained):
    """The article's 0.0000351085 is the error of the algorithm as described after 9,999 updates: 3.5108548e-05.

    A loop that prints the error it computed *before* the epoch's update, on its 10,000th
    pass, prints this figure. After the 10,000th update the error is 3.51019e-05.
    """
    printed = float(MAZUR_ERROR_AFTER_10000)
    tolerance = _half_unit(MAZUR_ERROR_AFTER_10000)
    right = _MAZUR_WEIGHTS
    for _ in range(9999):
        right = _mazur_epoch(right, stale_w5_w8=False)
    assert _error(right) == pytest.approx(printed, abs=tolerance)        # the plain-float loop
    assert f"{_error(right):.7e}" == "3.5108548e-05"
    assert trained.loss_history[9999] == pytest.approx(printed, abs=tolerance)   # the engine
    assert trained.loss_history[10000] != pytest.approx(printed, abs=tolerance)  # one update later
    assert trained.loss_history[9998] != pytest.approx(printed, abs=tolerance)   # one update earlier
