"""The "See it" views: what each draws is the derivation's and the engine's numbers, read back from the artists.

The error curve's tangent has the derived slope; the landscape's path is descent_path's; the decision
boundary's grid is the engine's predictions; the activation markers are the step's net inputs, outputs
and ∂out/∂net factors on curves SymPy derived; the sample selector re-derives the walkthrough. Each view
survives 500 updates with no new figure, artist or observer.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (only to check that nothing registers with pyplot)
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from backprop_tutor import evaluate_step, load_example, predict, walkthrough  # noqa: E402
from backprop_tutor.core.quantities import Net, Out, Partial, Weight, gradient  # noqa: E402
from backprop_tutor.teaching.landscape import descent_path  # noqa: E402
from backprop_tutor.teaching.notation import Namer  # noqa: E402
from backprop_tutor.views import display  # noqa: E402
from backprop_tutor.views.activation_plot import activation_curves  # noqa: E402
from backprop_tutor.views.boundary_plot import decision_grid  # noqa: E402
from backprop_tutor.views.landscape_plots import decimate_path  # noqa: E402
from backprop_tutor.views.widgets import LearningRateExplorer, StepThrough, TrainingView, Tutorial, base  # noqa: E402
from backprop_tutor.views.widgets.see_it import (  # noqa: E402
    ActivationPanel,
    BoundaryPanel,
    ErrorCurvePanel,
    LandscapePanel,
    default_pair,
)

W1, W5 = Weight(1, 0, 0), Weight(2, 0, 0)


def _artists(figure) -> int:
    return sum(len(ax.lines) + len(ax.texts) + len(ax.patches) + len(ax.collections) + len(ax.images)
               + len(ax.artists) for ax in figure.axes)


@pytest.fixture
def no_png(monkeypatch):
    """Skip the PNG render (it rasterises the artists, adds none); the artists are still updated."""
    monkeypatch.setattr(base.FigureImage, "refresh", lambda self: None)


# --- 1. the error against one parameter --------------------------------------------------------------

def test_the_tangent_drawn_has_the_derived_slope_and_the_arrow_ends_at_the_update():
    example = load_example("mazur")
    walk = walkthrough(example)
    panel = ErrorCurvePanel()
    panel.show(example, W5, 0, Namer(example.network, "mazur"))
    x, y = (np.asarray(v, dtype=float) for v in panel.plot.tangent.get_data())
    slope = (y[1] - y[0]) / (x[1] - x[0])
    assert slope == pytest.approx(walk.step_for("dE/dw5").value, rel=1e-12)
    assert panel.plot.point.get_data()[0][0] == 0.4
    assert panel.plot.point.get_data()[1][0] == walk.step_for("E_total").value
    # The arrow runs from today's value to w5⁺, the walkthrough's update.
    assert panel.plot.arrow.xyann[0] == 0.4 and panel.plot.arrow.xy[0] == walk.step_for("w5+").value
    # The curve is the engine's error: at today's value it is E_total.
    curve = panel.curve
    assert np.interp(0.4, curve.values, curve.errors) == pytest.approx(walk.step_for("E_total").value, rel=1e-9)
    alt = panel.picture.alt
    assert alt.startswith("E_total against w5") and "downhill" in alt
    assert f"{walk.step_for('dE/dw5').value:.4g}" in alt


def test_the_step_through_shows_the_curve_on_gradient_and_update_steps_only(no_png):
    view = StepThrough("mazur")
    walk = view.tutorial.walk
    for index, step in enumerate(walk):
        view.cursor.index = index
        shown = view.curve.box.layout.display != "none"
        assert shown == (step.key in (gradient(p) for p in walk.parameters)
                         or step.name_text.endswith("+") and step.key != walk[-1].key), step.name_text
        if shown:
            assert view.curve.curve.slope == walk.values[gradient(view.curve.curve.parameter)]
    # A hidden value hides the picture that would give it away.
    view.cursor.index = walk.step_for("dE/dw5").index
    view.predict_toggle.value = True
    assert view.curve.box.layout.display == "none"


def test_show_error_curve_is_a_described_figure():
    box = display.show_error_curve("mazur", "w5")
    assert "bt-error-curve" in box._dom_classes
    image = [c for c in box.children if hasattr(c, "format")][0]
    assert bytes(image.value).startswith(b"\x89PNG") and image.tooltip.startswith("E_total against w5")


# --- 2. the landscape and the descent path ------------------------------------------------------------

@pytest.mark.parametrize("rate", [0.05, 0.5, 5.0])
def test_the_landscape_path_drawn_is_descent_path(rate, no_png):
    example = load_example("mazur")
    namer = Namer(example.network, "mazur")
    panel = LandscapePanel()
    panel.set_example(example, namer)
    assert panel.surface.parameters == default_pair(example.network) == (W5, W1)
    panel.show(example, namer, rate, 3000)
    path, run = descent_path(example, W5, W1, learning_rate=rate, epochs=3000)
    drawn = np.column_stack(panel.plot.path_line.get_data())
    index = panel.plot.shown_indices
    assert index[0] == 0 and index[-1] == len(path) - 1 and len(drawn) <= len(path)
    np.testing.assert_array_equal(drawn, path[index])
    assert panel.plot.start.get_data()[0][0] == path[0, 0]
    if panel.surface.contains(*path[-1]):
        assert panel.plot.end.get_data()[0][0] == path[-1, 0]
        assert f"{run.loss:.4g}" in panel.plot.end_label.get_text()


def test_the_path_keeps_every_visible_move_and_sheds_the_rest():
    path = np.column_stack([np.linspace(0, 1, 10_001), np.zeros(10_001)])
    kept = decimate_path(path, ((0, 1), (-1, 1)), pixels=100)
    assert kept[0] == 0 and kept[-1] == 10_000 and 95 <= len(kept) <= 102
    zigzag = np.column_stack([np.arange(50.0), np.where(np.arange(50) % 2, 1.0, -1.0)])
    assert len(decimate_path(zigzag, ((0, 50), (-2, 2)), pixels=100)) == 50


def test_the_slider_moves_the_path_and_its_sentence_not_the_surface(no_png):
    view = LearningRateExplorer("mazur", epochs=2000)
    surface, contours = view.landscape.surface, view.landscape.plot.contours
    before = view.landscape.sentence.value
    view.rate.value = 50.0
    assert view.landscape.surface is surface and view.landscape.plot.contours is contours
    after = view.landscape.sentence.value
    assert after != before and "η = 50" in after and "leaves it" in after
    path, _ = descent_path(view.tutorial.example, W5, W1, learning_rate=50.0, epochs=2000)
    assert view.landscape.plot.path_line.get_xdata()[-1] == path[-1, 0]
    view.landscape.y_choice.value = Weight(2, 0, 1)     # another pair: a new surface
    assert view.landscape.surface.parameters == (W5, Weight(2, 0, 1))


# --- 3. the activation and its slope -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "linear"])
def test_the_curves_are_the_registry_form_and_its_sympy_derivative(name):
    nets = np.linspace(-5, 5, 101)
    out, slope = activation_curves(name, nets)
    h = 1e-6
    numeric = (activation_curves(name, nets + h)[0] - activation_curves(name, nets - h)[0]) / (2 * h)
    away = np.abs(nets) > 1e-3   # ReLU's kink
    np.testing.assert_allclose(slope[away], numeric[away], rtol=1e-5, atol=1e-8)


def test_the_markers_are_the_steps_net_inputs_outputs_and_slopes(no_png):
    example = load_example("mazur")
    values = evaluate_step(example)
    panel = ActivationPanel()
    panel.show(values, example.network, Namer(example.network, "mazur"), highlight=Out(1, 0))
    plot = panel.plots["sigmoid"]
    nets, outs = plot.outs.get_data()
    _, slopes = plot.slopes.get_data()
    keys = [Out(l, j) for l in (1, 2) for j in (0, 1)]
    assert list(nets) == [values[Net(k.layer, k.neuron)] for k in keys]
    assert list(outs) == [values[k] for k in keys]
    assert list(slopes) == [values[Partial(k, Net(k.layer, k.neuron))] for k in keys]
    # Each marker sits on its curve.
    curve_out, curve_slope = activation_curves("sigmoid", nets)
    np.testing.assert_allclose(outs, curve_out, rtol=1e-12)
    np.testing.assert_allclose(slopes, curve_slope, rtol=1e-12)
    assert list(plot.current.get_data()[0]) == [values[Net(1, 0)]]
    assert [label.get_text() for label in plot.labels if label.get_visible()] == ["h1", "h2", "o1", "o2"]


def test_saturated_neurons_are_said_to_be_saturated(no_png):
    example = load_example("mazur")
    big = example.replace(weights=[[[20 * w for w in row] for row in layer] for layer in example.weights])
    panel = ActivationPanel()
    panel.show(evaluate_step(big), big.network, Namer(big.network, "mazur"))
    assert panel.picture.alt.count("saturated: slope near 0") >= 2
    softmax = load_example("softmax")
    panel.show(evaluate_step(softmax), softmax.network, Namer(softmax.network, "mazur"))
    assert list(panel.plots) == ["tanh"] and "softmax" in panel.note.value


def test_the_step_through_rings_the_steps_neuron(no_png):
    view = StepThrough("mazur")
    walk = view.tutorial.walk
    view.cursor.index = walk.step_for("dout_o1/dnet_o1").index
    assert view.activation.box.layout.display == ""
    ring = view.activation.plots["sigmoid"].current.get_data()
    assert list(ring[1]) == [walk.values[Out(2, 0)]]
    view.cursor.index = walk.step_for("net_h1").index
    assert view.activation.box.layout.display == "none"


def test_the_training_view_moves_the_markers(no_png):
    view = TrainingView("mazur", epochs_per_tick=100, panels=("activations",))
    before = view.activation.plots["sigmoid"].outs.get_ydata().copy()
    view.play.value += 1
    after = view.activation.plots["sigmoid"].outs.get_ydata()
    expected = evaluate_step(view.tutorial.example, 0, view.run.parameters)
    assert list(after) == [expected[Out(l, j)] for l in (1, 2) for j in (0, 1)] and list(after) != list(before)


# --- 4. XOR: the sample selector and the decision boundary ----------------------------------------------

def test_the_sample_selector_rederives_the_walkthrough(no_png):
    t = Tutorial("xor")
    view = StepThrough(t)
    assert view.sample_choice.layout.display == "" and len(view.sample_choice.options) == 4
    assert view.sample_choice.options[1][0] == "Sample 2: i1 = 0, i2 = 1 → target 1"
    view.cursor.index = t.walk.step_for("net_h1").index
    first = view.displayed_value
    view.sample_choice.value = 2
    assert t.sample == 2 and t.walk.sample == 2
    assert view.displayed_value == f"net_h1 = {walkthrough(t.example, sample=2).step_for('net_h1').value_text}"
    assert view.displayed_value != first and "Sample 3 of 4." in t.walk[0].explanation
    # Sample 1 is (0, 0): every weight out of an input has gradient exactly 0 there.
    view.sample_choice.value = 0
    zero = [t.walk.values[gradient(Weight(1, j, k))] for j in range(3) for k in range(2)]
    assert zero == [0.0] * 6
    t.example = load_example("mazur")        # one sample: the selector hides, the sample is the first
    assert t.sample == 0 and view.sample_choice.layout.display == "none"
    with pytest.raises(Exception, match="sample"):
        t.sample = 1


@pytest.mark.parametrize("name", ["xor", "softmax", "mazur"])
def test_the_boundary_grid_is_the_engines_prediction(name):
    example = load_example(name)
    params = example.flat_parameters()
    grid = decision_grid(example, params, points=41)
    rng = np.random.default_rng(1)
    for i, j in rng.integers(0, 41, size=(6, 2)):
        probe = example.replace(inputs=[[grid.xs[j], grid.ys[i]]], targets=[example.targets[0]])
        np.testing.assert_allclose(grid.outputs[:, i, j], predict(probe, params)[0], rtol=1e-12)


def test_the_boundary_follows_training(no_png):
    view = TrainingView("xor", epochs_per_tick=500, panels=("boundary",))
    image = view.boundary.plot.image
    before = np.array(image.get_array())
    for _ in range(6):
        view.play.value += 1
    assert view.boundary.plot.image is image                       # updated in place
    assert not np.array_equal(before, image.get_array())
    np.testing.assert_allclose(image.get_array(), decision_grid(view.tutorial.example, view.run.parameters).outputs[0])
    assert "4 of 4 samples are on their target's side" in view.boundary.picture.alt


# --- 500 updates --------------------------------------------------------------------------------------

def test_500_updates_of_every_new_view_leave_no_figures_artists_or_observers(no_png):
    figures = plt.get_fignums()
    t = Tutorial("xor")
    step = StepThrough(t)
    lr = LearningRateExplorer(t, epochs=30)
    training = TrainingView(t, epochs_per_tick=2, panels=("activations", "boundary"))
    pictures = [step.curve.picture.figure, step.activation.picture.figure, lr.landscape.picture.figure,
                training.activation.picture.figure, training.boundary.picture.figure]
    # Every figure drawn once (the step-through's curve and activation by visiting their steps).
    step.cursor.index = t.walk.step_for("dE/dw1").index
    step.cursor.index = t.walk.step_for("out_h1").index
    lr.rate.value = 0.3
    training.play.value += 1
    counts, observers = [_artists(f) for f in pictures], t.observer_count()
    gradients = [t.walk.step_for(gradient(p)).index for p in t.walk.parameters]
    outputs = [s.index for s in t.walk if isinstance(s.key, Out)]
    for i in range(500):
        lr.rate.value = (0.01, 0.3, 3.0, 30.0)[i % 4]
        step.cursor.index = (gradients + outputs)[i % (len(gradients) + len(outputs))]
        if i % 50 == 0:
            step.sample_choice.value = (i // 50) % 4
        training.play.value += 1
    assert [_artists(f) for f in pictures] == counts
    assert t.observer_count() == observers
    assert plt.get_fignums() == figures


def test_boundary_and_landscape_redraw_in_place_500_times(no_png):
    example = load_example("xor")
    namer = Namer(example.network, "mazur")
    boundary, landscape = BoundaryPanel(), LandscapePanel()
    landscape.set_example(example, namer)
    boundary.show(example, example.flat_parameters(), predict(example), namer)
    landscape.show(example, namer, 1.0, 5)
    counts = [_artists(boundary.picture.figure), _artists(landscape.picture.figure)]
    rng = np.random.default_rng(0)
    for _ in range(500):
        params = list(np.asarray(example.flat_parameters()) + rng.normal(0, 2, len(example.flat_parameters())))
        boundary.show(example, params, predict(example, params), namer)
        landscape.show(example, namer, float(10 ** rng.uniform(-2, 2)), 5)
    assert [_artists(boundary.picture.figure), _artists(landscape.picture.figure)] == counts
