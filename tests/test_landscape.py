"""The error against one or two parameters: the tangent's slope is the derived gradient, and the
descent path is what training restricted to those parameters does."""

import numpy as np
import pytest

from backprop_tutor import load_example, train, walkthrough
from backprop_tutor.core.quantities import Bias, Weight
from backprop_tutor.core.spec import SpecError
from backprop_tutor.teaching.landscape import descent_path, error_curve, error_surface

W1, W5 = Weight(1, 0, 0), Weight(2, 0, 0)


def test_the_tangent_slope_is_the_derived_gradient_and_the_curve_agrees():
    example = load_example("mazur")
    walk = walkthrough(example)
    curve = error_curve(example, "w5", points=1001, half_width=1e-3)
    assert curve.parameter == W5 and curve.current == 0.4
    assert curve.error == walk.step_for("E_total").value
    assert curve.slope == walk.step_for("dE/dw5").value
    assert curve.updated == walk.step_for("w5+").value == pytest.approx(0.4 - 0.5 * curve.slope, abs=1e-15)
    # The plotted curve, differentiated numerically at today's value, has the same slope.
    middle = len(curve.values) // 2
    h = curve.values[middle + 1] - curve.values[middle]
    numeric = (curve.errors[middle + 1] - curve.errors[middle - 1]) / (2 * h)
    assert numeric == pytest.approx(curve.slope, rel=1e-6)
    assert curve.errors[middle] == pytest.approx(curve.error, abs=1e-15)
    assert curve.tangent([curve.current])[0] == curve.error


def test_the_curve_is_wide_enough_to_show_the_step():
    example = load_example("mazur")
    curve = error_curve(example, "w5")
    assert curve.values[0] < curve.updated < curve.values[-1]
    big = example.replace(learning_rate=80.0)
    wide = error_curve(big, "w5")
    assert wide.values[0] < wide.updated < wide.values[-1]   # a step of 6.6 still lands on the plot


def test_a_fixed_parameter_has_a_slope_but_no_step():
    curve = error_curve(load_example("mazur_article"), "b1")
    assert curve.parameter == Bias(1) and curve.slope != 0 and curve.updated == curve.current


def test_the_descent_path_is_training_restricted_to_the_two_parameters():
    example = load_example("mazur")
    path, run = descent_path(example, "w5", "w1", epochs=300)
    alone = train(example, epochs=300, only=[W5, W1])
    keys = example.network.parameters.keys
    assert path.shape == (301, 2)
    assert path[-1].tolist() == [alone.parameters[keys.index(W5)], alone.parameters[keys.index(W1)]]
    assert np.array_equal(run.loss_history, alone.loss_history)
    others = [i for i, k in enumerate(keys) if k not in (W5, W1)]
    assert [alone.parameters[i] for i in others] == [example.flat_parameters()[i] for i in others]
    # The grid's loss, evaluated at the path's points, is the loss the training recorded there.
    for k in (0, 1, 150, 300):
        x, y = path[k]
        point = error_surface(example, "w5", "w1", points=3, bounds=((x - 1, x + 1), (y - 1, y + 1)))
        assert point.losses[1, 1] == pytest.approx(run.loss_history[k], rel=1e-12)


@pytest.mark.parametrize("name", ["xor", "softmax"])
def test_recorded_paths_match_the_loss_history_on_many_samples(name):
    example = load_example(name)
    a, b = example.network.parameters.keys[:2]
    full = train(example, epochs=40)
    traced = train(example, epochs=40, record_path=True)
    assert np.array_equal(full.loss_history, traced.loss_history)
    assert traced.path.shape == (41, len(example.flat_parameters()))
    assert traced.path[0].tolist() == example.flat_parameters() and traced.path[-1].tolist() == full.parameters
    path, run = descent_path(example, a, b, epochs=40)
    assert path.shape == (len(run.loss_history), 2)


def test_a_diverging_path_ends_with_the_last_finite_parameters():
    mazur = load_example("mazur")
    net = mazur.network
    linear = mazur.replace(network=type(net)(net.layers, ("sigmoid", "linear"), loss=net.loss, bias=net.bias,
                                             train_bias=net.train_bias))   # a linear output can run away
    path, run = descent_path(linear, "w5", "w6", learning_rate=50.0, epochs=200)
    assert run.diverged_at is not None
    assert len(path) == len(run.loss_history) and np.isfinite(path).all()


def test_the_surface_marks_where_the_path_leaves_it():
    example = load_example("mazur")
    surface = error_surface(example, "w5", "w1", points=11)
    assert surface.losses.shape == (11, 11) and surface.contains(*surface.start)
    assert not surface.contains(surface.xs[-1] + 1, surface.start[1])


@pytest.mark.parametrize("call, field", [
    (lambda ex: error_curve(ex, "w99"), "parameter"),
    (lambda ex: error_curve(ex, "net_h1"), "parameter"),
    (lambda ex: error_curve(ex, "w5", points=2), "points"),
    (lambda ex: error_curve(ex, "w5", half_width=-1), "half_width"),
    (lambda ex: error_surface(ex, "w5", "w5"), "parameter"),
    (lambda ex: error_surface(ex, "w5", "w1", bounds=((1, 0), (0, 1))), "bounds"),
    (lambda ex: train(ex, epochs=2, only=[Bias(1)]), "only"),
])
def test_bad_requests_name_their_field(call, field):
    example = load_example("mazur_article")   # its biases are fixed: not trainable
    with pytest.raises(SpecError) as excinfo:
        call(example)
    assert excinfo.value.field == field and "\n" not in str(excinfo.value)
