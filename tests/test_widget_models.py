"""The widgets' plain traitlets models, with no widget in sight: Tutorial, StepCursor,
LearningRateRun and TrainingRun.

Expected values come from the engine (``walkthrough``, ``train``, ``Example.flat_parameters``);
a training run played in pieces must equal one call of ``train`` (rtol 1e-12).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import traitlets

from backprop_tutor import Network, preset, train, walkthrough
from backprop_tutor.teaching.walkthrough import PHASES
from backprop_tutor.views.widgets import LearningRateRun, StepCursor, TrainingRun, Tutorial
from backprop_tutor.views.widgets.models import as_tutorial

RTOL = 1e-12


def linear_outputs(update="online"):
    """The seed network with a linear output layer: its error is unbounded, so a large rate diverges."""
    return preset("seed").replace(network=Network([2, 2, 2], ["sigmoid", "linear"]), update=update)


# --- Tutorial ---------------------------------------------------------------------------------

def test_tutorial_derives_the_walkthrough_of_its_example_and_notation():
    t = Tutorial("seed")
    assert t.example == preset("seed")
    assert t.notation == "mazur"
    assert [s.title for s in t.walk] == [s.title for s in walkthrough(preset("seed"))]


def test_tutorial_rederives_on_a_new_example_and_a_new_notation():
    t = Tutorial("seed")
    t.example = preset("xor")
    assert len(t.walk) == len(walkthrough(preset("xor")))
    assert t.walk.example == preset("xor")
    t.notation = "layered"
    assert t.walk.notation == "layered"
    assert [s.name_text for s in t.walk] == [s.name_text for s in walkthrough(preset("xor"), "layered")]


def test_tutorial_rejects_an_unknown_notation():
    t = Tutorial("seed")
    with pytest.raises(traitlets.TraitError):
        t.notation = "greek"
    assert t.notation == "mazur"


def test_as_tutorial_passes_a_tutorial_through_and_wraps_anything_else():
    t = Tutorial("mazur_article")
    assert as_tutorial(t) is t
    assert as_tutorial("xor").example == preset("xor")
    assert as_tutorial(preset("softmax")).example == preset("softmax")


class _Dummy:
    def __init__(self):
        self.detached = 0

    def detach(self):
        self.detached += 1


def test_attach_detaches_the_previous_view_of_the_same_slot_only():
    t = Tutorial("seed")
    first, second, other = _Dummy(), _Dummy(), _Dummy()
    t.attach("step", first)
    t.attach("chain", other)
    t.attach("step", first)           # the same view again: nothing to detach
    assert first.detached == 0
    t.attach("step", second)
    assert (first.detached, second.detached, other.detached) == (1, 0, 0)


def test_observer_count_counts_the_models_following_a_tutorial():
    t = Tutorial("seed")
    base = t.observer_count()
    cursor = StepCursor(t)
    run = TrainingRun(t)
    assert t.observer_count() == base + 2
    cursor.detach()
    run.detach()
    assert t.observer_count() == base


# --- StepCursor -----------------------------------------------------------------------------

def test_cursor_next_and_previous_stay_within_the_walkthrough():
    t = Tutorial("seed")
    cursor = StepCursor(t)
    last = len(t.walk) - 1
    assert cursor.index == 0 and cursor.at_start and not cursor.at_end
    cursor.previous()
    assert cursor.index == 0
    for expected in range(1, last + 1):
        cursor.next()
        assert cursor.index == expected
        assert cursor.step is t.walk[expected]
    assert cursor.at_end and not cursor.at_start
    cursor.next()
    assert cursor.index == last
    cursor.previous()
    assert cursor.index == last - 1
    cursor.reset()
    assert cursor.index == 0 and cursor.at_start


@pytest.mark.parametrize("phase", PHASES)
def test_cursor_jumps_to_the_first_step_of_each_phase(phase):
    t = Tutorial("seed")
    cursor = StepCursor(t)
    cursor.index = len(t.walk) - 1
    cursor.jump(phase)
    expected = walkthrough(preset("seed")).phase_start(phase)
    assert cursor.index == expected
    assert cursor.step.phase == phase
    assert expected == 0 or t.walk[expected - 1].phase != phase


@pytest.mark.parametrize("bad", ["backward", "", "Forward", None])
def test_cursor_rejects_an_unknown_phase_and_stays(bad):
    t = Tutorial("seed")
    cursor = StepCursor(t)
    cursor.index = 5
    with pytest.raises(ValueError, match="phase"):
        cursor.jump(bad)
    assert cursor.index == 5


def test_cursor_starts_again_when_the_network_shape_changes():
    """Another shape has other steps: the student's old index would land on an unrelated step."""
    t = Tutorial("xor")
    cursor = StepCursor(t)
    cursor.index = len(t.walk) - 1
    t.example = preset("seed")
    assert len(walkthrough(preset("xor"))) > len(t.walk)
    assert cursor.index == 0


def test_cursor_keeps_its_place_when_only_the_numbers_change():
    t = Tutorial("seed")
    cursor = StepCursor(t)
    cursor.index = 17
    t.example = t.example.replace(learning_rate=0.1)
    assert cursor.index == 17 and cursor.step is t.walk[17]


def test_detached_cursor_no_longer_follows():
    t = Tutorial("xor")
    cursor = StepCursor(t)
    cursor.index = len(t.walk) - 1
    cursor.detach()
    t.example = preset("seed")
    assert cursor.index == len(walkthrough(preset("xor"))) - 1


# --- LearningRateRun ------------------------------------------------------------------------

def _same_training(shown, expected):
    assert shown.learning_rate == expected.learning_rate
    assert shown.epochs == expected.epochs
    assert shown.diverged_at == expected.diverged_at
    np.testing.assert_allclose(shown.loss_history, expected.loss_history, rtol=RTOL)
    np.testing.assert_allclose(shown.parameters, expected.parameters, rtol=RTOL)


def test_learning_rate_run_trains_with_its_settings():
    t = Tutorial("seed")
    run = LearningRateRun(t, epochs=300)
    assert run.learning_rate == preset("seed").learning_rate
    _same_training(run.result, train(preset("seed"), epochs=300))
    run.learning_rate = 2.0
    _same_training(run.result, train(preset("seed"), epochs=300, learning_rate=2.0))
    run.epochs = 40
    _same_training(run.result, train(preset("seed"), epochs=40, learning_rate=2.0))
    assert run.error == ""


def test_learning_rate_run_defaults_to_the_example_settings_with_epochs_capped():
    run = LearningRateRun(Tutorial("xor"))
    assert (run.learning_rate, run.epochs) == (preset("xor").learning_rate, preset("xor").epochs)
    # A very long example is cut so that a slider move answers within seconds, and the run says so.
    long = preset("seed").replace(epochs=10**8)
    run = LearningRateRun(Tutorial(long))
    run.stop()
    run.wait()
    assert 20000 <= run.epochs < 10**8 and "not the example's 100,000,000" in run.note
    assert LearningRateRun(Tutorial(long), epochs=3).epochs == 3


@pytest.mark.parametrize("bad", [0.0, -0.5, math.inf, math.nan])
def test_learning_rate_run_with_a_bad_rate_keeps_the_last_result_and_says_why(bad):
    t = Tutorial("seed")
    run = LearningRateRun(t, epochs=50)
    good = run.result
    run.learning_rate = bad
    assert run.result is good
    assert "learning_rate" in run.error
    run.learning_rate = 1.0
    assert run.error == ""
    _same_training(run.result, train(preset("seed"), epochs=50, learning_rate=1.0))


def test_learning_rate_run_with_bad_epochs_keeps_the_last_result_and_says_why():
    run = LearningRateRun(Tutorial("seed"), epochs=50)
    good = run.result
    run.epochs = -1
    assert run.result is good
    assert "epochs" in run.error


def test_learning_rate_run_follows_the_example_and_adopts_its_new_rate():
    t = Tutorial("seed")
    run = LearningRateRun(t, epochs=60)
    run.learning_rate = 2.0                     # the student's choice
    weights = [[[0.1, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]]
    t.example = t.example.replace(weights=weights)   # same rate: the student's rate stays
    assert run.learning_rate == 2.0
    _same_training(run.result, train(t.example, epochs=60, learning_rate=2.0))
    t.example = t.example.replace(learning_rate=0.1)  # the example's own rate changed: adopt it
    assert run.learning_rate == 0.1 and run.epochs == 60
    _same_training(run.result, train(t.example, epochs=60, learning_rate=0.1))
    t.example = preset("xor")
    assert (run.learning_rate, run.epochs) == (preset("xor").learning_rate, preset("xor").epochs)
    _same_training(run.result, train(preset("xor")))


def test_learning_rate_run_reports_divergence_without_error():
    example = linear_outputs()
    run = LearningRateRun(Tutorial(example), learning_rate=10.0, epochs=400)
    expected = train(example, epochs=400, learning_rate=10.0)
    assert expected.diverged_at is not None
    assert run.error == ""
    _same_training(run.result, expected)


def test_learning_rate_run_sweep_is_the_engine_sweep():
    from backprop_tutor import sweep

    run = LearningRateRun(Tutorial("seed"), epochs=30)
    rates = [0.01, 0.5, 5.0]
    got, expected = run.sweep(rates), sweep(preset("seed"), rates, 30)
    np.testing.assert_allclose(got.final_loss, expected.final_loss, rtol=RTOL)
    np.testing.assert_allclose(run.sweep(rates, epochs=7).final_loss, sweep(preset("seed"), rates, 7).final_loss,
                               rtol=RTOL)


# --- TrainingRun ----------------------------------------------------------------------------

def test_training_run_starts_at_epoch_zero_with_the_initial_loss():
    example = preset("seed")
    run = TrainingRun(Tutorial(example))
    assert run.epoch == 0 and run.diverged_at is None
    assert run.parameters == example.flat_parameters()
    assert run.loss_history == [train(example, epochs=0).loss]
    assert run.loss == train(example, epochs=0).loss
    assert run.outputs == train(example, epochs=0).outputs


def _played(example, pieces):
    run = TrainingRun(Tutorial(example))
    for k in pieces:
        run.advance(k)
    return run


def _assert_matches_train(run, expected):
    assert run.diverged_at == expected.diverged_at
    assert run.epoch == len(expected.loss_history) - 1
    assert len(run.loss_history) == len(expected.loss_history)
    np.testing.assert_allclose(run.loss_history, expected.loss_history, rtol=RTOL)
    np.testing.assert_allclose(run.parameters, expected.parameters, rtol=RTOL)
    np.testing.assert_allclose(run.outputs, expected.outputs, rtol=RTOL)
    assert run.loss == pytest.approx(expected.loss, rel=RTOL)


@pytest.mark.parametrize("name", ["mazur", "mazur_article", "xor", "softmax"])
@pytest.mark.parametrize("pieces", [[1] * 5 + [45, 0, 50], [100], [37, 63]], ids=["ones", "whole", "uneven"])
def test_training_run_in_pieces_equals_one_train_call(name, pieces):
    """Online one-sample (seed, mazur), batch (xor) and online many-sample (softmax) updates."""
    example = preset(name)
    assert {"mazur": "online", "mazur_article": "online", "xor": "batch", "softmax": "online"}[name] == example.update
    run = _played(example, pieces)
    expected = train(example, epochs=sum(pieces))
    assert expected.diverged_at is None
    _assert_matches_train(run, expected)
    np.testing.assert_allclose(run.weights[-1], expected.weights[-1], rtol=RTOL)


@pytest.mark.parametrize("update", ["online", "batch"])
def test_training_run_diverges_at_the_epoch_train_reports(update):
    example = linear_outputs(update).replace(learning_rate=10.0)
    full = train(example, epochs=400)
    n = full.diverged_at
    assert n is not None and 2 < n < 400
    # Pieces that end just before, at, and just after the divergence, and one that spans it.
    for pieces in ([400], [n - 1, 400 - n + 1], [n, 400 - n], [n - 2, 1, 1, 1, 396 - n + 1], [7] * 60):
        run = _played(example, pieces)
        _assert_matches_train(run, full)
        assert run.diverged_at == n
        assert all(math.isfinite(v) for v in run.parameters)
        stuck = (run.epoch, list(run.loss_history), list(run.parameters))
        run.advance(10)                       # no-op once diverged
        assert (run.epoch, list(run.loss_history), list(run.parameters)) == stuck


def test_training_run_many_sample_online_divergence_matches_train():
    example = preset("xor").replace(network=Network([2, 3, 1], ["sigmoid", "linear"], loss="mse", bias="per_neuron"),
                                    update="online", learning_rate=10.0)
    full = train(example, epochs=200)
    assert full.diverged_at is not None
    _assert_matches_train(_played(example, [3] * 70), full)


def test_training_run_ignores_zero_and_negative_advances():
    run = TrainingRun(Tutorial("seed"))
    run.advance(0)
    run.advance(-5)
    assert run.epoch == 0 and len(run.loss_history) == 1


def test_training_run_reset_and_a_new_example_start_again():
    t = Tutorial("seed")
    run = TrainingRun(t)
    run.advance(25)
    run.reset()
    assert run.epoch == 0 and run.loss_history == [train(preset("seed"), epochs=0).loss]
    run.advance(10)
    t.example = preset("xor")
    assert run.epoch == 0
    assert run.parameters == preset("xor").flat_parameters()
    assert run.loss_history == [train(preset("xor"), epochs=0).loss]
    run.advance(5)
    _assert_matches_train(run, train(preset("xor"), epochs=5))
